"""`python -m tools.launch.serve --fd N APP`: uvicorn serving a TCP socket it inherited, at full speed.

`uvicorn --fd` opens the socket as AF_UNIX whatever it is, so the event loop never sets
TCP_NODELAY on the connections it accepts: a response written in two sends (head, then body)
then waits for the client's delayed ACK, about 40 ms a request on loopback. Here the socket is
opened with its real family. The loop is uvloop accepting every waiting connection at once
(`common/eventloop.py`: uvloop alone accepts one a turn); everything else is uvicorn's defaults
(httptools when installed), with its own access log off (the services write theirs).
"""

import argparse
import socket

import uvicorn
from uvicorn.supervisors import Multiprocess

LOOP = "common.eventloop:new_event_loop"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tools.launch.serve")
    parser.add_argument("app", help='"module:attribute", as for uvicorn')
    parser.add_argument("--fd", type=int, required=True, help="a listening TCP socket")
    parser.add_argument("--factory", action="store_true", help="APP is a function that returns the app")
    parser.add_argument("--log-level", default="info")
    parser.add_argument("--loop", default=LOOP, help=f"{LOOP} (uvloop, batched accepts), uvloop or asyncio")
    parser.add_argument("--http", default="auto", help="auto (httptools when installed) or h11")
    parser.add_argument("--workers", type=int, default=1, help="worker processes sharing the socket")
    return parser


def main(argv: list[str] | None = None) -> None:
    options = build_parser().parse_args(argv)
    config = uvicorn.Config(
        options.app,
        factory=options.factory,
        log_level=options.log_level,
        loop=options.loop,
        http=options.http,
        access_log=False,
        workers=options.workers,
    )
    sock = socket.socket(fileno=options.fd)
    try:
        if options.workers > 1:
            Multiprocess(config, sockets=[sock]).run()
        else:
            uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn re-raises Ctrl-C once it has shut down: no traceback
        pass


if __name__ == "__main__":
    main()
