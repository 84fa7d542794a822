# pty_run: runs a command on a pseudo-terminal COLS wide (as a terminal
# would), keeps everything it prints in OUT, and with INT_AFTER >= 0 types
# Ctrl-C (the terminal sends SIGINT to the run's process group) that many
# seconds after its first progress line that counts a stored kernel. Exits
# with the command's status.
#   usage: python3 pty_run.py COLS INT_AFTER OUT CMD...
import fcntl, os, pty, re, select, struct, sys, termios, time

cols, int_after, outfile, cmd = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3], sys.argv[4:]
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, cols, 0, 0))
    os.execvp(cmd[0], cmd)
out, first, sent = bytearray(), None, False
while True:
    r, _, _ = select.select([fd], [], [], 0.05)
    if r:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        out += data
    if first is None and re.search(rb"\x1b\[K[1-9][0-9]*/[0-9]+ kernels", out):
        first = time.time()
    if int_after >= 0 and not sent and first is not None and time.time() - first >= int_after:
        os.write(fd, b"\x03")
        sent = True
_, status = os.waitpid(pid, 0)
with open(outfile, "wb") as f:
    f.write(out)
sys.exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))
