"""Make a small git repository with two commits, for the README's walk through `dlint diff`.

    python examples/history/make_history.py /tmp/dlint-history
    cd /tmp/dlint-history && dlint diff HEAD~1

The first commit is a host with live-restore on and the engine pinned to 26.1; the second moves
the default bridge, bumps the pin to 27.0 and turns on debug. Written here as a script, not kept as
a repository inside this one. Nothing but git (init, add, commit) runs.
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

DAEMON = "hosts/app/etc/docker/daemon.json"
PROVISION = "hosts/app/provision.sh"

FIRST = {
    DAEMON: '{\n  "live-restore": true,\n  "bip": "172.18.0.1/16",\n  "log-driver": "local"\n}\n',
    PROVISION: "#!/bin/sh\nset -e\napt-get install -y docker-ce=5:26.1.4-1~debian.12~bookworm\napt-mark hold docker-ce\n"
    "install -m 644 etc/docker/daemon.json /etc/docker/daemon.json\nsystemctl reload docker\n",
}
SECOND = {
    DAEMON: '{\n  "live-restore": true,\n  "debug": true,\n  "bip": "10.31.0.1/16",\n  "log-driver": "local"\n}\n',
    PROVISION: FIRST[PROVISION].replace("26.1.4", "27.0.3"),
}


def _git(folder: Path, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_AUTHOR_NAME="example", GIT_AUTHOR_EMAIL="example@example.com",
               GIT_COMMITTER_NAME="example", GIT_COMMITTER_EMAIL="example@example.com")
    subprocess.run(["git", "-C", str(folder), *args], check=True, env=env, stdout=subprocess.DEVNULL)


def _commit(folder: Path, files: dict, message: str) -> None:
    for rel, text in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text)
    _git(folder, "add", "--", *files)
    _git(folder, "commit", "-q", "-m", message)


def main(argv) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else Path(tempfile.mkdtemp(prefix="dlint-history-"))
    if folder.exists() and any(folder.iterdir()):
        print(f"{folder}: not empty; give a new folder", file=sys.stderr)
        return 2
    folder.mkdir(parents=True, exist_ok=True)
    _git(folder, "init", "-q")
    _commit(folder, FIRST, "app host: live-restore, engine 26.1")
    _commit(folder, SECOND, "app host: new bridge network, engine 27.0, debug")
    print(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
