"""One run of the web application, in its own process: ``python -m iadsim.web.worker``.

Reads one JSON request on stdin (scenario file, store, replications, seed, batch
size, engine, policy), runs it as a one-point sweep into the results store (so the
store can rebuild its map and replay, as for ``iadsim sweep``), and writes JSON lines
on stdout: ``{"start": total, "done": n}``, ``{"advance": n}``, ``{"status": text}``,
then ``{"finished": {...}}`` or ``{"error": "error: ..."}`` (the CLI's words).

A separate process keeps the server answering while the engine runs, and lets a
run be cancelled at once: SIGINT stops it between batches and marks the sweep
interrupted in the store (finished batches are kept; running it again resumes).
"""

from __future__ import annotations

import json
import sys
from typing import Any

__all__ = ["main"]


def _say(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


class _Progress:
    def start(self, total: int, done: int) -> None:
        _say({"start": total, "done": done})

    def advance(self, replications: int) -> None:
        _say({"advance": replications})

    def status(self, text: str | None) -> None:
        _say({"status": text})


def main() -> int:
    """Run the request on stdin; 0 when the run is complete, 2 on bad input, 130 if stopped."""
    from iadsim.errors import IadsimError
    from iadsim.runner import build_sweep, run_sweep

    request = json.loads(sys.stdin.readline())
    try:
        sweep = build_sweep(
            request["file"],
            replications=int(request["replications"]),
            seed=int(request["seed"]),
            batch_size=int(request["batch_size"]),
            engine=request.get("engine"),
            policy=request.get("policy"),
        )
        report = run_sweep(
            sweep, request["store"], backend="in-process", resume=True, progress=_Progress()
        )
    except KeyboardInterrupt:
        _say({"cancelled": True})
        return 130
    except IadsimError as exc:
        _say({"error": "error: " + " ".join(str(exc).split())})
        return 2
    except ValueError as exc:
        _say({"error": "error: " + " ".join(str(exc).split())})
        return 2
    _say(
        {
            "finished": {
                "sweep_id": report.sweep_id,
                "run_id": report.run_ids[0],
                "computed": report.computed,
                "reused": report.reused,
                "seconds": round(report.seconds, 3),
            }
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
