"""The peer: a dlt ``rest_api`` pipeline over the same simulator, into SQLite.

What a data engineer would write instead of syncd: the complaints listing as a
resource (page_size 500, following ``results.next_page_url``), and two dependent
resources resolved from each listed complaint's id, fetched eight at once
(``parallelized`` with eight extract workers, like syncd's concurrency 8):

- ``complaint_details``: ``/complaints/{id}/complaint`` (its ``data_logs`` become
  dlt's nested table ``complaint_details__data_logs``);
- ``followups``: ``/complaints/{id}/followups``, every page, with the parent's id.

Loaded with ``write_disposition="append"`` into dlt's ``sqlalchemy`` destination
with ``sqlite:///`` credentials. dlt does less than syncd here: no validation, no UTC
instants, no upsert guarded by ``updated_at``, no checkpoint; it keeps the listing
rows beside the details. The time is the whole ``pipeline.run()``: extract,
normalize and load.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any


def backfill(base_url: str, workdir: Path, *, page_size: int, concurrency: int) -> dict[str, Any]:
    # dlt reads its settings from the environment: keep its state in workdir, send no
    # telemetry, say only errors, and fetch dependent resources ``concurrency`` at once.
    os.environ["DLT_DATA_DIR"] = str(workdir / "dlt-data")
    os.environ["RUNTIME__DLTHUB_TELEMETRY"] = "false"
    os.environ["RUNTIME__LOG_LEVEL"] = "ERROR"
    os.environ["EXTRACT__WORKERS"] = str(concurrency)

    import dlt
    from dlt.sources.rest_api import rest_api_source

    next_page = {"type": "json_link", "next_url_path": "results.next_page_url"}
    source = rest_api_source(
        {
            "client": {"base_url": f"{base_url}/", "paginator": next_page},
            "resource_defaults": {"write_disposition": "append"},
            "resources": [
                {
                    "name": "complaints",
                    "endpoint": {
                        "path": "complaints",
                        "params": {"page_size": page_size},
                        "data_selector": "results.data",
                    },
                },
                {
                    "name": "complaint_details",
                    "parallelized": True,
                    "endpoint": {
                        "path": "complaints/{resources.complaints.id}/complaint",
                        "data_selector": "results",
                        "paginator": {"type": "single_page"},
                    },
                },
                {
                    "name": "followups",
                    "parallelized": True,
                    "include_from_parent": ["id"],
                    "endpoint": {
                        "path": "complaints/{resources.complaints.id}/followups",
                        "data_selector": "results.data",
                    },
                },
            ],
        }
    )
    pipeline = dlt.pipeline(
        pipeline_name="bench_lapor",
        pipelines_dir=str(workdir / "pipelines"),
        destination=dlt.destinations.sqlalchemy(credentials=f"sqlite:///{workdir / 'dlt.db'}"),
        dataset_name="lapor",
    )
    started = time.perf_counter()
    pipeline.run(source)
    seconds = time.perf_counter() - started
    trace = pipeline.last_trace
    steps = {
        step.step: (step.finished_at - step.started_at).total_seconds() for step in trace.steps
    }
    normalized = trace.last_normalize_info
    rows = dict(normalized.row_counts) if normalized is not None else {}
    return {
        "seconds": seconds,
        "complaints": rows.get("complaint_details", 0),
        "rows": {k: v for k, v in rows.items() if not k.startswith("_dlt")},
        "steps": steps,
        "dlt_version": dlt.__version__,
    }
