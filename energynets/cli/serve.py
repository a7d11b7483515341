"""``energynets serve``: the playground, energynets live in the browser.

Starts the playground's web server (:mod:`energynets.web`) on this computer, prints its
address and opens it in the browser. The server listens on the loopback address unless
``--host`` names another, and then warns that other computers can reach it. Ctrl-C stops it.
"""

from __future__ import annotations

import argparse
import ipaddress
import re
import sys
from typing import Any

from energynets.cli._args import clip, command, int_at_least

HELP = "the playground: draw, store and recall patterns in the browser"
DESCRIPTION = (
    "Start the playground, a local web app on this computer, and open it in the browser. "
    "On the Hopfield page one draws or picks patterns, stores them with a learning rule, "
    "corrupts a probe and watches it recall, step by step or animated, with its energy and "
    "its overlaps with the stored patterns plotted live. Every computation runs in energynets. "
    "Ctrl-C stops the server."
)


#: A host name: dot-separated labels of letters, digits and inner hyphens, the last one not
#: all digits (RFC 1123, RFC 3696).
_HOST_NAME = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*"
    r"(?=[A-Za-z0-9-]*[A-Za-z])[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?"
)


def _host(text: str) -> str:
    """An argparse type for a host: an IPv4 or IPv6 address, or a host name."""
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        pass
    if len(text) > 253 or _HOST_NAME.fullmatch(text) is None:
        raise argparse.ArgumentTypeError(
            f"expected an IP address or a host name, got {clip(text)!r}"
        )
    return text


def _loopback(host: str) -> bool:
    """Whether only this computer can reach ``host`` (127.0.0.0/8, ::1, localhost)."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host.lower().rstrip(".") == "localhost"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``serve`` to the subcommands ``subparsers``; return its parser."""
    p = command(subparsers, "serve", HELP, DESCRIPTION)
    p.add_argument(
        "--port",
        type=int_at_least(0, 65535),
        default=8765,
        metavar="N",
        help="TCP port to listen on; 0 picks any free port (default: %(default)s)",
    )
    p.add_argument(
        "--host",
        type=_host,
        default="127.0.0.1",
        metavar="H",
        help=(
            "address to listen on (default: %(default)s, this computer only); another "
            "address lets other computers on the network use the playground"
        ),
    )
    p.add_argument(
        "--no-browser",
        action="store_true",
        help="print the address without opening a browser",
    )
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``energynets serve`` until Ctrl-C; return the exit status."""
    from energynets.web import make_server

    server = make_server(args.host, args.port)
    try:
        if not _loopback(args.host):
            print(
                f"energynets serve: warning: listening on {args.host}, so other computers "
                "that reach this one can use the playground",
                file=sys.stderr,
            )
        print(f"energynets serve: the playground is at {server.url} (Ctrl-C stops it)")
        sys.stdout.flush()
        if not args.no_browser:
            import webbrowser

            webbrowser.open(server.url)
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        print("energynets serve: stopped")
    finally:
        server.server_close()
    return 0
