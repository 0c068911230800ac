"""Runs a command in a real pseudo-terminal and acts on it once `marker` has appeared:

  pty_run.py ctrl-c MARKER COMMAND...            types Ctrl-C (100 columns)
  pty_run.py resize MARKER COLS NEW_COLS COMMAND... starts COLS wide, narrows to NEW_COLS (the kernel
                                             sends SIGWINCH); "=== RESIZED ===" marks the moment

Prints everything the terminal showed and exits with the command's exit code (98: still running
20 s on, 99: the marker never appeared for ctrl-c)."""
import os, pty, select, sys, time, struct, fcntl, termios

action, marker = sys.argv[1], sys.argv[2].encode()
if action == 'resize':
    cols, new_cols, command = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5:]
else:
    cols, new_cols, command = 100, 100, sys.argv[3:]
deadline = time.time() + 20
pid, fd = pty.fork()
if pid == 0:
    os.execvp(command[0], command)
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', 24, cols, 0, 0))
out, acted, acted_at = b'', False, 0.0
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
    if action == 'ctrl-c' and acted and time.time() > acted_at + 5:
        break
    if not acted and marker in out:
        if action == 'ctrl-c':
            os.write(fd, b'\x03')
        else:
            fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', 24, new_cols, 0, 0))
            out += b'\n=== RESIZED ===\n'
        acted, acted_at = True, time.time()
done, status = 0, 0
for _ in range(50):  # the child may take a moment to be reaped after its terminal closed
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        break
    time.sleep(0.1)
sys.stdout.buffer.write(out)
if done == 0:  # still running past the deadline
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    sys.exit(98)
if action == 'ctrl-c' and not acted:
    sys.exit(99)
sys.exit(os.waitstatus_to_exitcode(status))
