"""Publish the students' copies to the branch `student` and print the nbgitpuller link for a hub.

    python scripts/publish_student.py                                   # commit HEAD's student copies to `student`
    python scripts/publish_student.py --hub https://hub.example.edu     # ... and print the link for that hub
    python scripts/publish_student.py --hub URL --repo https://github.com/you/gradients-step-by-step
    python scripts/publish_student.py --colab you/gradients-step-by-step   # the Colab edition (make colab)

The branch holds the student edition of HEAD (``course.publish``; commit your changes first), or with --colab the
Colab edition (``course.colab``); the working tree and the checked-out branch are not touched. Push it yourself.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

from course.colab import check_repo, colab_link
from course.publish import CLONE_FOLDER, STUDENT_BRANCH, PublishError, lab_path, nbgitpuller_link, publish
from course.series import INDEX, ROOT


def origin_url() -> str | None:
    """The URL of the remote `origin`, which students clone from, or None if there is none."""
    found = subprocess.run(["git", "remote", "get-url", "origin"], cwd=ROOT, capture_output=True, text=True, check=False)
    return found.stdout.strip() or None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hub", help="the hub's address, e.g. https://hub.example.edu, to print the link")
    parser.add_argument("--repo", help="the URL students' servers clone from (default: the remote origin)")
    parser.add_argument("--branch", default=STUDENT_BRANCH, help=f"the branch to publish to (default {STUDENT_BRANCH})")
    parser.add_argument("--colab", metavar="OWNER/NAME", help="publish the Colab edition, for github.com/OWNER/NAME")
    args = parser.parse_args()
    repo_url = args.repo or origin_url()
    if args.hub and repo_url is None:
        parser.error("there is no remote 'origin': pass --repo with the URL students' servers clone from")
    try:  # both checked before anything is published
        colab_repo = check_repo(args.colab) if args.colab else None
        link = nbgitpuller_link(args.hub, repo_url, args.branch) if args.hub and repo_url else None
    except ValueError as error:
        parser.error(str(error))
    try:
        done = publish(ROOT, args.branch, colab_repo)
    except PublishError as error:
        parser.exit(1, f"publish_student: {error}\n")
    state = "new commit" if done.new else "unchanged, no new commit"
    print(f"{args.branch}: {done.commit[:12]} ({state}), {done.files} files from {done.source_commit[:12]}")
    print(f"push it with: git push origin {args.branch}")
    if colab_repo:
        index = colab_link(colab_repo, args.branch, f"notebooks/{INDEX}")
        print(f"the index opens in Colab at (each notebook has its own badge):\n{index}")
    if link:
        print(f"students' link (clones into ~/{CLONE_FOLDER}, opens the index):\n{link}")
    else:
        print(f"add --hub https://your-hub to print the nbgitpuller link (it opens {lab_path()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
