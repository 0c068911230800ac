"""Runs a command in a real pseudo-terminal, types Ctrl-C once `marker` has appeared,
prints everything the terminal showed, and exits with the command's exit code."""
import os, pty, select, sys, time, struct, fcntl, termios

marker, deadline = sys.argv[1].encode(), time.time() + 20
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', 24, 100, 0, 0))
out, sent = b'', False
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
    if sent and time.time() > sent_at + 5:
        break
    if not sent and marker in out:
        os.write(fd, b'\x03')
        sent, sent_at = True, time.time()
done, status = 0, 0
for _ in range(50):  # the child may take a moment to be reaped after its terminal closed
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        break
    time.sleep(0.1)
if done == 0:  # still running past the deadline: the Ctrl-C did not work
    os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
    sys.stdout.buffer.write(out)
    sys.exit(98)
sys.stdout.buffer.write(out)
sys.exit(os.waitstatus_to_exitcode(status) if sent else 99)
