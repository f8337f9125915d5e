"""A real IMAP server for the tests: Dovecot (Debian's `dovecot-imapd`, which `make test` installs when missing),
started on 127.0.0.1 with implicit TLS on a free port, a self-signed certificate made for the run, one user with
a password, Maildir storage under the test's folder, and its own configuration (never /etc/dovecot)."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Mailbox:
    host: str
    port: int
    user: str
    password: str
    ca_file: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start() -> tuple[subprocess.Popen, Mailbox, Path]:
    """Start Dovecot in a folder of its own (pytest's are private to root, and Dovecot's processes run as its own
    users): (the process, how to reach the mailbox, the folder to delete afterwards)."""
    dovecot = shutil.which("dovecot") or "/usr/sbin/dovecot"
    if not Path(dovecot).exists():
        raise RuntimeError("dovecot is not installed: `make test` installs Debian's dovecot-imapd (apt-get)")
    folder = Path(tempfile.mkdtemp(prefix="voc-dovecot-"))
    folder.chmod(0o755)
    # as root, mail belongs to Debian's `mail` user and Dovecot's own users run the login processes; otherwise all
    # of it runs as whoever runs the tests
    if os.geteuid() == 0:
        owner, internal, login = pwd.getpwnam("mail"), "dovecot", "dovenull"
    else:
        owner = pwd.getpwuid(os.geteuid())
        internal = login = owner.pw_name
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    mail = folder / "mail"
    mail.mkdir(exist_ok=True)
    os.chown(mail, owner.pw_uid, owner.pw_gid)
    password = "imap-test-password-5b2e"
    (folder / "passwd").write_text(f"soporte:{{PLAIN}}{password}::::::\n")
    port = _free_port()
    run = folder / "run"
    run.mkdir(exist_ok=True)
    config = folder / "dovecot.conf"
    config.write_text(
        f"""
protocols = imap
listen = 127.0.0.1
base_dir = {run}
state_dir = {folder / "state"}
log_path = {folder / "dovecot.log"}
default_internal_user = {internal}
default_login_user = {login}
first_valid_uid = {owner.pw_uid}
ssl = required
ssl_cert = <{cert}
ssl_key = <{key}
disable_plaintext_auth = yes
auth_mechanisms = plain
passdb {{
  driver = passwd-file
  args = {folder / "passwd"}
}}
userdb {{
  driver = static
  args = uid={owner.pw_uid} gid={owner.pw_gid} home={mail}/%u
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
}}
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""
    )
    process = subprocess.Popen([dovecot, "-F", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dovecot exited {process.returncode}: {process.stderr.read().decode()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process, Mailbox("127.0.0.1", port, "soporte", password, cert), folder
        except OSError:
            time.sleep(0.1)
    process.kill()
    shutil.rmtree(folder, ignore_errors=True)
    raise RuntimeError("dovecot did not listen within 20 s")
