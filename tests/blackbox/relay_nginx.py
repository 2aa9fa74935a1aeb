"""nginx in front of relay instances, for tests: an unprivileged nginx in a temporary
prefix running deploy/nginx/relay.conf itself, only its upstream servers and listen port
replaced by the test's."""
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

NGINX_CONF = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "deploy", "nginx", "relay.conf")


def nginx_binary():
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Nginx:
    """An unprivileged nginx in a temporary prefix running deploy/nginx/relay.conf, its
    upstream servers and listen port replaced by the test's."""

    def __init__(self, relay_ports):
        self.dir = tempfile.mkdtemp(prefix="relay-nginx-")
        os.chmod(self.dir, 0o755)  # run as root, nginx's workers are another user
        with open(NGINX_CONF) as f:
            conf = f.read()
        servers = re.findall(r"^(\s*)server 127\.0\.0\.1:\d+ (.*);$", conf, re.M)
        if not servers:
            raise RuntimeError("deploy/nginx/relay.conf: no 'server 127.0.0.1:PORT ...;' lines in its upstream")
        indent, params = servers[0]
        lines = "".join(f"{indent}server 127.0.0.1:{p} {params};\n" for p in relay_ports)
        conf = re.sub(r"^\s*server 127\.0\.0\.1:\d+ .*;\n", "", conf, flags=re.M)
        conf = re.sub(r"^(\s*)keepalive ", lambda m: lines + m.group(1) + "keepalive ", conf, count=1, flags=re.M)
        self.port = free_port()
        conf, n = re.subn(r"listen 127\.0\.0\.1:\d+;", f"listen 127.0.0.1:{self.port};", conf)
        if n != 1:
            raise RuntimeError("deploy/nginx/relay.conf: expected one 'listen 127.0.0.1:PORT;'")
        with open(os.path.join(self.dir, "relay.conf"), "w") as f:
            f.write(conf)
        d = self.dir
        main = (f"error_log {d}/error.log info;\nworker_processes 1;\nevents {{ worker_connections 256; }}\n"
                f"http {{\n  access_log {d}/access.log;\n  client_body_temp_path {d}/body;\n"
                f"  proxy_temp_path {d}/proxy;\n  fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n"
                f"  scgi_temp_path {d}/scgi;\n  include {d}/relay.conf;\n}}\n")
        with open(os.path.join(d, "nginx.conf"), "w") as f:
            f.write(main)
        self.proc = subprocess.Popen([nginx_binary(), "-p", d, "-c", f"{d}/nginx.conf", "-e", f"{d}/error.log",
                                      "-g", f"daemon off; pid {d}/nginx.pid;"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        self.port = None

    def log(self):
        try:
            with open(os.path.join(self.dir, "error.log")) as f:
                return f.read()[-1500:]
        except OSError:
            return ""

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)  # graceful: finish open connections
        try:
            code = self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = None
        if code == 0:
            shutil.rmtree(self.dir, ignore_errors=True)
        return code
