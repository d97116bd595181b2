"""``syncd simulate``: the built-in SP4N-LAPOR! simulator, served until interrupted."""

from __future__ import annotations

import signal
import time
from enum import StrEnum
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer

from syncd.cli.common import console, secret_option


class Profile(StrEnum):
    CONTRACT = "contract"
    V3_OBSERVED = "v3-observed"


def _host_port(listen: str) -> tuple[str, int]:
    host, sep, port = listen.rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise typer.BadParameter(f"expected HOST:PORT, got {listen!r}", param_hint="--listen")
    return host.strip("[]"), int(port)


def simulate(
    listen: Annotated[str, typer.Option(help="HOST:PORT to serve on.")] = "127.0.0.1:8081",
    complaints: Annotated[int, typer.Option(min=0, help="Complaints on the platform now.")] = 1000,
    seed: Annotated[int, typer.Option(help="Same seed, same world.")] = 1,
    profile: Annotated[
        Profile,
        typer.Option(help="contract: the documented API; v3-observed: no listing, as gateways."),
    ] = Profile.CONTRACT,
    error_rate: Annotated[float, typer.Option(min=0, max=1, help="5xx answers.")] = 0.0,
    rate_limit_rate: Annotated[float, typer.Option(min=0, max=1, help="429 bursts.")] = 0.0,
    latency: Annotated[float, typer.Option(min=0, help="Up to this many seconds' delay.")] = 0.0,
    truncate_rate: Annotated[float, typer.Option(min=0, max=1, help="Bodies cut short.")] = 0.0,
    malformed_rate: Annotated[
        float, typer.Option(min=0, max=1, help="Complaints served malformed.")
    ] = 0.0,
    duplicate_rate: Annotated[
        float, typer.Option(min=0, max=1, help="Listing pages with a complaint twice.")
    ] = 0.0,
    mutate_rate: Annotated[
        float, typer.Option(min=0, max=1, help="Listing requests that update complaints first.")
    ] = 0.0,
    late_write_rate: Annotated[
        float, typer.Option(min=0, max=1, help="Listing requests that write minutes late.")
    ] = 0.0,
    vanish_rate: Annotated[
        float, typer.Option(min=0, max=1, help="Complaints removed upstream.")
    ] = 0.0,
    same_second: Annotated[
        int, typer.Option(min=0, help="Complaints sharing one updated_at second.")
    ] = 0,
    history_days: Annotated[
        float, typer.Option(min=0.01, help="Days over which --complaints arrived.")
    ] = 120.0,
    frozen: Annotated[
        bool, typer.Option(help="Stop the world's clock at start: nothing changes by itself.")
    ] = False,
    api_key_file: Annotated[
        Path | None,
        typer.Option(help="Require this API key (else $SYNCD_SIMULATOR_API_KEY, if set)."),
    ] = None,
    token_file: Annotated[
        Path | None, typer.Option(help="Require this token (else $SYNCD_SIMULATOR_TOKEN, if set).")
    ] = None,
) -> None:
    """Serve the built-in SP4N-LAPOR! simulator until interrupted."""
    from connectors.simulator import Faults, Simulator, World, WorldSettings

    host, port = _host_port(listen)
    faults = Faults(
        error_rate=error_rate,
        rate_limit_rate=rate_limit_rate,
        latency=latency,
        truncate_rate=truncate_rate,
        duplicate_rate=duplicate_rate,
        mutate_rate=mutate_rate,
        late_write_rate=late_write_rate,
        api_key=secret_option(api_key_file, "SYNCD_SIMULATOR_API_KEY"),
        token=secret_option(token_file, "SYNCD_SIMULATOR_TOKEN"),
    )
    started = time.perf_counter()
    started_at = time.time()
    with console.status(f"generating {complaints:,} complaints (seed {seed})…"):
        world = World.generate(
            WorldSettings(
                complaints=complaints,
                seed=seed,
                malformed_rate=malformed_rate,
                vanish_rate=vanish_rate,
                same_second=same_second,
                history_days=history_days,
            ),
            clock=(lambda: started_at) if frozen else time.time,
        )
    try:
        sim = Simulator(world, faults, host=host, port=port, seed=seed, profile=profile.value)
    except OSError as exc:
        console.print(f"[red]cannot listen on {listen}: {exc.strerror}[/red]")
        raise typer.Exit(1) from exc
    url = sim.base_url
    arriving = len(world.complaints) - complaints
    console.print(
        f"SP4N-LAPOR! simulator on [bold]{url}[/bold]: {world.listed_count():,} complaints "
        f"now, {arriving:,} more arriving over {world.settings.future_days} days "
        f"(seed {seed}, ready in {time.perf_counter() - started:.1f}s); "
        f"faults: {faults.describe()}\n"
        f"  curl '{url}/complaints?page=1&page_size=5'"
        f"{'  (404: no listing in this profile)' if profile is Profile.V3_OBSERVED else ''}\n"
        f"  curl '{url}/complaints/{{id}}/complaint'\n"
        "Ctrl-C stops it."
    )

    def _stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    try:
        sim.serve_forever()
    except KeyboardInterrupt:
        console.print("simulator stopped")
    finally:
        sim.close()
