"""moto_server with a movable clock, for the snapshot tool's tests.

Runs the same WSGI app as moto's own `moto_server` (moto/server.py: DomainDispatcherApplication
served by werkzeug's run_simple), takes the same -H/-p flags and prints the same
"Running on http://HOST:PORT" banner, and adds two test-only endpoints:

  POST /moto-ext/clock          {"now": "<ISO 8601>"} | {"now": null} | {"offsetSeconds": n}
      Shifts this process's idea of "now" by a fixed offset (time keeps running). The shift shows
      in the HTTP Date header of every response and in the times moto's RDS models stamp on new
      resources (cluster create time, SnapshotCreateTime). {"now": null} goes back to real time.
      GET answers the current shifted time without changing it.
  POST /moto-ext/snapshot-time  {"account", "region", "identifier", "time": "<ISO 8601>"}
      Sets one DB cluster snapshot's SnapshotCreateTime; 404 when there is no such snapshot.

POST /moto-api/reset works as before and also drops the clock shift.

Why: the tool ages a snapshot by the younger of the time in its name and SnapshotCreateTime, and
refuses to delete when its clock and AWS's (the Date header) disagree; plain moto stamps the real
time and has no way to change it. Usage: python3 moto_ext.py [-H 127.0.0.1] [-p 5000]
"""

import argparse
import datetime
import json
import os
import signal
import sys
import threading
import time
from typing import Any, Callable, Iterable, Optional

import moto.rds.models as rds_models
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import WSGIRequestHandler, run_simple
from werkzeug.wrappers import Request, Response

# ------------------------------------------------------------------ the shifted clock

_offset_seconds = 0.0
_offset_lock = threading.Lock()


def _set_offset(seconds: float) -> None:
    global _offset_seconds
    with _offset_lock:
        _offset_seconds = seconds


def shifted_time() -> float:
    """Epoch seconds as this process pretends them to be."""
    return time.time() + _offset_seconds


def shifted_utcnow() -> datetime.datetime:
    # moto keeps naive UTC datetimes (moto.core.utils.utcnow); so does this.
    return datetime.datetime.fromtimestamp(shifted_time(), datetime.timezone.utc).replace(
        tzinfo=None
    )


# moto.rds.models did `from moto.core.utils import utcnow`, so every RDS model (RDSBaseModel's
# `created`, a cluster's create time, a snapshot's) looks the name up in that module: rebinding it
# there shifts RDS alone. STS and the rest keep real time on purpose: an AssumeRole expiry in the
# past would make the SDK refresh credentials on every call.
rds_models.utcnow = shifted_utcnow


class ShiftedDateRequestHandler(WSGIRequestHandler):
    """http.server's send_response, which werkzeug's handler inherits, writes the Date header
    from date_time_string(): shift that."""

    def date_time_string(self, timestamp: Optional[float] = None) -> str:
        return super().date_time_string(shifted_time() if timestamp is None else timestamp)


# ------------------------------------------------------------------ the endpoints


def _parse_time(value: Any) -> datetime.datetime:
    """ISO 8601 to an aware UTC datetime; a trailing Z and a missing zone both mean UTC."""
    if not isinstance(value, str):
        raise ValueError(f"expected an ISO 8601 time, got {value!r}")
    # fromisoformat accepts "Z" only from Python 3.11.
    parsed = datetime.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return parsed.astimezone(datetime.timezone.utc)


def _json(status: int, body: dict[str, Any]) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def _iso(at: datetime.datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def _clock_state() -> dict[str, Any]:
    now = datetime.datetime.fromtimestamp(shifted_time(), datetime.timezone.utc)
    return {"now": _iso(now), "offsetSeconds": _offset_seconds}


def _clock(request: Request) -> Response:
    if request.method == "GET":
        return _json(200, _clock_state())
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        return _json(400, {"message": 'expected {"now": ISO | null} or {"offsetSeconds": n}'})
    if "offsetSeconds" in body:
        _set_offset(float(body["offsetSeconds"]))
    elif "now" in body and body["now"] is None:
        _set_offset(0.0)
    elif "now" in body:
        _set_offset(_parse_time(body["now"]).timestamp() - time.time())
    else:
        return _json(400, {"message": 'expected {"now": ISO | null} or {"offsetSeconds": n}'})
    return _json(200, _clock_state())


def _snapshot_time(request: Request) -> Response:
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        return _json(400, {"message": "expected a JSON object"})
    missing = [k for k in ("account", "region", "identifier", "time") if not body.get(k)]
    if missing:
        return _json(400, {"message": f"missing {', '.join(missing)}"})
    account, region, identifier = body["account"], body["region"], body["identifier"]
    at = _parse_time(body["time"])
    # Look through keys() first: indexing a BackendDict creates the account or region.
    snapshot = None
    if account in rds_models.rds_backends.keys():
        regions = rds_models.rds_backends[account]
        if region in regions.keys():
            snapshot = regions[region].cluster_snapshots.get(identifier)
    if snapshot is None:
        return _json(
            404,
            {"message": f"no DB cluster snapshot {identifier} in account {account}, {region}"},
        )
    # DescribeDBClusterSnapshots renders `snapshot_create_time`, a property returning `created`
    # (naive UTC, as moto keeps it everywhere).
    snapshot.created = at.replace(tzinfo=None)
    return _json(200, {"identifier": identifier, "snapshotCreateTime": _iso(at)})


Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def with_extension(app: Wsgi) -> Wsgi:
    routes = {"/moto-ext/clock": _clock, "/moto-ext/snapshot-time": _snapshot_time}

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        route = routes.get(path)
        if route is not None:
            try:
                response = route(Request(environ))
            except (TypeError, ValueError) as error:
                response = _json(400, {"message": str(error)})
            return response(environ, start_response)
        if path == "/moto-api/reset" and environ.get("REQUEST_METHOD") == "POST":
            _set_offset(0.0)
        return app(environ, start_response)

    return wsgi


# ------------------------------------------------------------------ the server, as moto_server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=int(os.environ.get("MOTO_PORT", 5000)))
    args = parser.parse_args()

    # moto_server does the same: some services build URLs from it.
    os.environ.setdefault("MOTO_PORT", str(args.port))
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: sys.exit(0))

    app = DomainDispatcherApplication(create_backend_app)
    app.debug = True  # type: ignore[attr-defined]  # as moto_server sets it
    run_simple(
        args.host,
        args.port,
        with_extension(app),
        threaded=True,
        request_handler=ShiftedDateRequestHandler,
    )


if __name__ == "__main__":
    main()
