"""Running a file reader in a child process with memory and time limits.

A hostile or broken upload can make openpyxl or the CSV reader allocate
gigabytes or spin for minutes. ``read_isolated`` runs the reader in a fresh
process (forkserver, so the app's threads are never forked) whose address
space and CPU time are capped; when the child runs out of either, or is
killed, the caller gets ``GoalpostError("file_too_large")`` and the app
process is untouched.
"""

from __future__ import annotations

import math
import multiprocessing
import pickle
import resource
import signal
from collections.abc import Callable
from functools import cache
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext, SpawnContext
from types import FrameType
from typing import Any, TypeVar

from kpi.errors import GoalpostError
from kpi.file_guard import MAX_UPLOAD_BYTES, check_upload
from kpi.reading import RawTable, read_table, sheet_names

T = TypeVar("T")

# Room after the child's own start-up for killing it when the time is up.
KILL_GRACE_SECONDS = 5.0
# Modules the forkserver imports once, so each child starts without importing.
PRELOADED_MODULES = ["kpi.reading"]

_TOO_LARGE_ADVICE = "Save it as a smaller file or split it, and upload the parts."


class _TimeUp(Exception):
    """Raised inside the child when its wall-clock time is up."""


def read_isolated(
    func: Callable[..., T],
    *args: Any,
    memory_mb: int = 1024,
    seconds: float = 30,
    file_name: str | None = None,
) -> T:
    """``func(*args)`` run in a child process limited in memory and time.

    ``func`` must be a top-level function and its arguments and result
    picklable. The child may grow ``memory_mb`` beyond the address space it
    starts with, and use ``seconds`` of wall-clock and CPU time. An exception
    raised in the child comes back as raised, a GoalpostError with its class
    and every attribute (see ``_picklable`` for one that cannot be pickled);
    running out of memory or time, or dying, becomes
    GoalpostError ``file_too_large`` naming ``file_name`` (default: the first
    argument when it is text).
    """
    shown_name = file_name or (args[0] if args and isinstance(args[0], str) else "")
    receiver, sender = _context().Pipe(duplex=False)
    child = _context().Process(
        target=_child_main,
        args=(sender, func, args, memory_mb, seconds),
        daemon=True,
    )
    child.start()
    sender.close()
    try:
        outcome = _wait_for_outcome(receiver, seconds + KILL_GRACE_SECONDS)
    finally:
        receiver.close()
        _stop(child)
    result: T = _unpack(outcome, shown_name)
    return result


def read_table_isolated(
    file_name: str,
    content: bytes,
    sheet: str | None = None,
    table: int | None = None,
    *,
    max_bytes: int = MAX_UPLOAD_BYTES,
) -> RawTable:
    """``check_upload`` then ``read_table`` in a limited child process.

    What the Data page calls on an upload; ``sheet`` and ``table`` go to
    ``read_table`` unchanged. Raises GoalpostError (``file_too_large``,
    ``file_damaged``) or read_table's ImportProblems.
    """
    check_upload(file_name, content, max_bytes=max_bytes)
    return read_isolated(read_table, file_name, content, sheet, table)


def sheet_names_isolated(
    file_name: str, content: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES
) -> list[str]:
    """``check_upload`` then ``sheet_names`` in a limited child process."""
    check_upload(file_name, content, max_bytes=max_bytes)
    return read_isolated(sheet_names, file_name, content)


@cache
def _context() -> ForkServerContext | SpawnContext:
    """Forkserver where the platform has it (Linux, macOS), else spawn."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # Also keeps the server from re-running the app's __main__ (its default).
    context.set_forkserver_preload(PRELOADED_MODULES)
    return context


def _wait_for_outcome(receiver: Connection, timeout: float) -> tuple[Any, ...]:
    """What the child sent, or ("died",) when it sent nothing in time."""
    try:
        if not receiver.poll(timeout):
            return ("died",)
        outcome: tuple[Any, ...] = receiver.recv()
    except (EOFError, OSError, pickle.UnpicklingError):
        return ("died",)
    return outcome


def _stop(child: Any) -> None:
    child.join(timeout=1)
    if child.is_alive():
        child.kill()
        child.join()
    child.close()


def _unpack(outcome: tuple[Any, ...], file_name: str) -> Any:
    kind = outcome[0]
    if kind == "ok":
        return outcome[1]
    if kind == "raised":
        raise outcome[1]
    who = f'File "{file_name}"' if file_name else "The file"
    raise GoalpostError(
        "file_too_large",
        f"{who} is too large or damaged to read within Goalpost's memory and "
        f"time limits. {_TOO_LARGE_ADVICE}",
    )


def _child_main(
    sender: Connection,
    func: Callable[..., Any],
    args: tuple[Any, ...],
    memory_mb: int,
    seconds: float,
) -> None:
    """Set the limits, run the reader, send one outcome tuple, exit."""
    try:
        _limit_child(memory_mb, seconds)
        result = func(*args)
        signal.setitimer(signal.ITIMER_REAL, 0)
        outcome: tuple[Any, ...] = ("ok", result)
    except (MemoryError, _TimeUp):
        outcome = ("limit",)
    except Exception as error:
        outcome = ("raised", _picklable(error))
    try:
        sender.send(outcome)
    except MemoryError:
        sender.send(("limit",))
    finally:
        sender.close()


def _limit_child(memory_mb: int, seconds: float) -> None:
    """Cap address space, CPU seconds and wall-clock time of this process."""
    _use_system_allocator_for_arrow()
    used = _address_space_bytes()
    if used:  # without /proc the start size is unknown; a cap could starve it
        limit = used + memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    cpu = math.ceil(seconds)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    signal.signal(signal.SIGALRM, _time_up)
    signal.setitimer(signal.ITIMER_REAL, seconds)


def _use_system_allocator_for_arrow() -> None:
    """Make pandas' Arrow strings use malloc, which grows with use.

    Arrow's default mimalloc pool reserves 1 GB of address space on its first
    allocation, which alone would exceed a 1 GB address-space cap.
    """
    try:
        import pyarrow
    except ImportError:
        return
    pyarrow.set_memory_pool(pyarrow.system_memory_pool())


def _time_up(signum: int, frame: FrameType | None) -> None:
    raise _TimeUp


def _address_space_bytes() -> int:
    """This process's virtual memory size (VmSize), 0 where /proc is missing."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _picklable(error: Exception) -> Exception:
    """``error`` when it survives pickling; otherwise what can be sent of it.

    A GoalpostError holding an odd object (a cell value in ``bad_rows``)
    becomes a plain GoalpostError with its reason and message; anything else
    a RuntimeError with its type and text.
    """
    try:
        return pickle.loads(pickle.dumps(error))  # type: ignore[no-any-return]
    except Exception:
        if isinstance(error, GoalpostError):
            return GoalpostError(error.reason, error.message)
        return RuntimeError(f"{type(error).__name__}: {error}")
