"""Runs a command in a real pseudo-terminal COLS wide, narrows the terminal to NEW_COLS once
`marker` has appeared (the kernel sends SIGWINCH), and prints everything the terminal showed,
with a line "=== RESIZED ===" where the resize happened. Exits with the command's exit code."""
import os, pty, select, sys, time, struct, fcntl, termios

marker, cols, new_cols = sys.argv[1].encode(), int(sys.argv[2]), int(sys.argv[3])
deadline = time.time() + 20
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[4], sys.argv[4:])
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', 24, cols, 0, 0))
out, resized = b'', False
while time.time() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.1)
    if ready:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    if not resized and marker in out:
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', 24, new_cols, 0, 0))
        out += b'\n=== RESIZED ===\n'
        resized = True
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
sys.exit(os.waitstatus_to_exitcode(status))
