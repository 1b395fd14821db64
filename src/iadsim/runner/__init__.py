"""Monte Carlo batches and sweeps: in this process, a local process pool, or a Ray cluster.

Results are bit-identical across backends, worker counts and batch orders:
runs are split into batches by replication index and put back by index.
"""

from iadsim.runner.backends import (
    BACKENDS,
    Backend,
    InProcessBackend,
    PoolBackend,
    RayBackend,
    available_cores,
    make_backend,
)
from iadsim.runner.batches import (
    BatchResult,
    BatchTask,
    assemble,
    default_batch_size,
    plan_batches,
    run_batch,
    simulate_range,
)
from iadsim.runner.design import (
    Distribution,
    RandomDesign,
    Sweep,
    SweepPoint,
    build_sweep,
    parse_grid_option,
    parse_random_option,
)
from iadsim.runner.sweep import PointRun, SweepProgress, SweepReport, run_id_of, run_sweep

__all__ = [
    "BACKENDS",
    "Backend",
    "BatchResult",
    "BatchTask",
    "Distribution",
    "InProcessBackend",
    "PointRun",
    "PoolBackend",
    "RandomDesign",
    "RayBackend",
    "Sweep",
    "SweepPoint",
    "SweepProgress",
    "SweepReport",
    "assemble",
    "available_cores",
    "build_sweep",
    "default_batch_size",
    "make_backend",
    "parse_grid_option",
    "parse_random_option",
    "plan_batches",
    "run_batch",
    "run_id_of",
    "run_sweep",
    "simulate_range",
]
