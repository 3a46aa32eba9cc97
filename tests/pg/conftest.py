"""A real PostgreSQL server for the storage and concurrency tests.

`pg_server` (session) starts a throwaway cluster when the PostgreSQL binaries are installed
(/usr/lib/postgresql/*/bin/initdb, the Debian `postgresql` package that .ci/system-deps.sh
installs): data folder in a fresh temporary folder, listening on 127.0.0.1 on a free port
only, trust authentication for the local test user, stopped and deleted at the end of the
session. As root it runs the server as the `postgres` user (runuser). BDHVS_TEST_PG_URL
(a server URL whose user may CREATE DATABASE) uses an existing server instead. Without
either, the PostgreSQL half of each test is skipped with the reason.

`backend_db` is parametrized over both backends: a fresh, migrated database per test.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

PG_USER = "bdhvs_test"
PASSWORD_GROUP = "bdhvs_password_login"  # roles in this group log in with a password


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgCluster:
    def __init__(self, bin_dir: Path):
        self.bin_dir = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="bdhvs-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            import pwd

            try:
                pw = pwd.getpwnam("postgres")
            except KeyError as exc:
                raise RuntimeError("no 'postgres' user to run the server as") from exc
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
        os.chmod(self.root, 0o700)

    def _run(self, *cmd: str, check: bool = True) -> subprocess.CompletedProcess:
        full = [str(self.bin_dir / cmd[0]), *cmd[1:]]
        if self.as_root:
            full = ["runuser", "-u", "postgres", "--", *full]
        return subprocess.run(full, check=check, capture_output=True, text=True, timeout=120)

    def start(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", PG_USER, "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")
        # Members of PASSWORD_GROUP must give a real password (SCRAM) even on this test cluster,
        # so the tests of passwords from the environment, a pgpass file or a prompt mean something.
        hba = self.data / "pg_hba.conf"
        hba.write_text(f"host all +{PASSWORD_GROUP} 127.0.0.1/32 scram-sha-256\n" + hba.read_text())
        opts = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off "
                "-c full_page_writes=off -c max_connections=60")
        self._run("pg_ctl", "-D", str(self.data), "-o", opts, "-l", str(self.root / "server.log"), "-w",
                  "-t", "60", "start")
        self._start_watchdog()

    def _start_watchdog(self) -> None:
        """If this test session dies without its teardown (killed by a timeout, Ctrl+C twice),
        a small shell loop stops the server and deletes its folder, so no cluster is left behind."""
        pg_ctl = f"{self.bin_dir / 'pg_ctl'} -D {self.data} -m immediate -w stop"
        if self.as_root:
            pg_ctl = "runuser -u postgres -- " + pg_ctl
        script = (f"while kill -0 {os.getpid()} 2>/dev/null; do sleep 2; done; "
                  f"{pg_ctl} >/dev/null 2>&1; rm -rf {self.root}")
        self.watchdog = subprocess.Popen(["sh", "-c", script], start_new_session=True, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(self) -> None:
        watchdog = getattr(self, "watchdog", None)
        if watchdog is not None:
            watchdog.kill()
            watchdog.wait(10)
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{PG_USER}@127.0.0.1:{self.port}/postgres"


@pytest.fixture(scope="session")
def pg_server():
    """The URL of a PostgreSQL server's maintenance database (`postgres`)."""
    pytest.importorskip("psycopg", reason="psycopg (the PostgreSQL driver) is not installed")
    env_url = os.environ.get("BDHVS_TEST_PG_URL")
    if env_url:
        yield env_url
        return
    bin_dir = _bin_dir()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); "
                    "run .ci/system-deps.sh as root or set BDHVS_TEST_PG_URL")
    try:
        cluster = PgCluster(bin_dir)
    except RuntimeError as exc:
        pytest.skip(f"PostgreSQL is installed but cannot be started here: {exc}")
    try:
        cluster.start()
    except Exception as exc:  # noqa: BLE001
        log = cluster.root / "server.log"
        detail = log.read_text()[-2000:] if log.exists() else getattr(exc, "stderr", "") or ""
        cluster.stop()
        pytest.fail(f"PostgreSQL is installed but the test cluster did not start: {exc}\n{detail}")
    try:
        yield cluster.url
    finally:
        cluster.stop()


def _admin(url: str):
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    return psycopg.connect(host=u.host, port=u.port, user=u.username, password=u.password,
                           dbname=u.database or "postgres", autocommit=True)


@pytest.fixture(scope="session")
def pg_template(pg_server):
    """A migrated database to copy from (CREATE DATABASE ... TEMPLATE is much faster than migrating)."""
    from sqlalchemy.engine import make_url

    from bdhvs_desktop.storage.engine import open_database

    name = f"bdhvs_tpl_{uuid.uuid4().hex[:8]}"
    with _admin(pg_server) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(pg_server).set(database=name).render_as_string(hide_password=False)
    db = open_database(url)
    db.dispose()
    yield name
    with _admin(pg_server) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def create_pg_database(server_url: str, template: str | None = None) -> str:
    from sqlalchemy.engine import make_url

    name = f"bdhvs_t_{uuid.uuid4().hex[:10]}"
    with _admin(server_url) as conn:
        if template:
            for _ in range(50):  # the template must have no open connections
                try:
                    conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
                    break
                except Exception:  # noqa: BLE001
                    time.sleep(0.1)
            else:
                raise RuntimeError("could not copy the template database")
        else:
            conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(server_url: str, url: str) -> None:
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    with _admin(server_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_url(pg_server, pg_template):
    """A fresh, migrated PostgreSQL database for one test (dropped afterwards)."""
    url = create_pg_database(pg_server, pg_template)
    yield url
    drop_pg_database(pg_server, url)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend_url(request, tmp_path):
    """The URL of a fresh, migrated database on each backend."""
    if request.param == "sqlite":
        from bdhvs_desktop.storage.engine import open_database

        path = tmp_path / "backend.sqlite3"
        open_database(path).dispose()
        yield "sqlite:///" + path.as_posix()
    else:
        yield request.getfixturevalue("pg_url")


@pytest.fixture
def backend_db(backend_url):
    """An open Database on each backend (SQLite file, real PostgreSQL server)."""
    from bdhvs_desktop.storage.engine import open_database

    database = open_database(backend_url)
    yield database
    database.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_backend_url(request, tmp_path):
    """The URL of an EMPTY database (no tables yet) on each backend."""
    if request.param == "sqlite":
        yield "sqlite:///" + (tmp_path / "empty.sqlite3").as_posix()
    else:
        server = request.getfixturevalue("pg_server")
        url = create_pg_database(server)
        yield url
        drop_pg_database(server, url)
