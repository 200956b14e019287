"""Where local inference runs: what the llama.cpp build supports and what the machine has.

Both matter: a CUDA machine with a CPU-only wheel runs on the CPU, and the user should be
told which reinstall command fixes that. Every probe is guarded and quick (doctor calls this).

"Quick" is relative: the build probe imports llama_cpp and numpy, seconds on an idle machine and
10 s and more on a busy one, and the machine probe runs ``nvidia-smi``. Code on an event loop
therefore never calls :func:`detect_device`; it starts :func:`start_detection` (a daemon thread)
and reads :func:`detected_device`, which never blocks.
"""

from __future__ import annotations

import ctypes
import logging
import os
import platform
import shutil
import subprocess  # nosec B404
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from protosmith.llm.base import DeviceInfo

log = logging.getLogger(__name__)

REINSTALL = (
    "CMAKE_ARGS='{flags}' .venv/bin/pip install --force-reinstall --no-cache-dir "
    "'llama-cpp-python[server]==0.3.36'"
)
BUILD_FLAGS = {
    "cuda": "-DGGML_CUDA=on",
    "rocm": "-DGGML_HIP=on",
    "metal": "-DGGML_METAL=on",
    "vulkan": "-DGGML_VULKAN=on",
    "sycl": "-DGGML_SYCL=on -DCMAKE_C_COMPILER=icx -DCMAKE_CXX_COMPILER=icpx",
}
_REGISTRY_KINDS = {
    "cuda": "cuda",
    "rocm": "rocm",
    "hip": "rocm",
    "metal": "metal",
    "mtl": "metal",
    "vulkan": "vulkan",
    "sycl": "sycl",
}


@dataclass
class BuildInfo:
    """What the installed llama.cpp library can do."""

    installed: bool = False
    gpu_offload: bool = False
    backends: list[str] = field(default_factory=list)
    """ggml backend registry names, e.g. ["CUDA", "CPU"]."""
    devices: list[tuple[str, str, int]] = field(default_factory=list)
    """(name, description, type) per ggml device; type 0 CPU, 1 GPU, 2 integrated GPU."""
    system_info: str = ""
    error: str = ""


def _ggml_registry(info: BuildInfo) -> None:
    """Read the ggml backend registry through ctypes (not wrapped by llama-cpp-python)."""
    try:
        from llama_cpp._ggml import libggml
    except (ImportError, OSError, AttributeError) as error:
        info.error = f"ggml registry unreadable: {error}"
        return
    try:
        libggml.ggml_backend_reg_count.restype = ctypes.c_size_t
        libggml.ggml_backend_reg_get.restype = ctypes.c_void_p
        libggml.ggml_backend_reg_get.argtypes = [ctypes.c_size_t]
        libggml.ggml_backend_reg_name.restype = ctypes.c_char_p
        libggml.ggml_backend_reg_name.argtypes = [ctypes.c_void_p]
        libggml.ggml_backend_dev_count.restype = ctypes.c_size_t
        libggml.ggml_backend_dev_get.restype = ctypes.c_void_p
        libggml.ggml_backend_dev_get.argtypes = [ctypes.c_size_t]
        for name in ("ggml_backend_dev_name", "ggml_backend_dev_description"):
            getattr(libggml, name).restype = ctypes.c_char_p
            getattr(libggml, name).argtypes = [ctypes.c_void_p]
        libggml.ggml_backend_dev_type.restype = ctypes.c_int
        libggml.ggml_backend_dev_type.argtypes = [ctypes.c_void_p]
        for index in range(libggml.ggml_backend_reg_count()):
            reg = libggml.ggml_backend_reg_get(index)
            info.backends.append((libggml.ggml_backend_reg_name(reg) or b"?").decode())
        for index in range(libggml.ggml_backend_dev_count()):
            dev = libggml.ggml_backend_dev_get(index)
            info.devices.append(
                (
                    (libggml.ggml_backend_dev_name(dev) or b"?").decode(),
                    (libggml.ggml_backend_dev_description(dev) or b"").decode(errors="replace"),
                    int(libggml.ggml_backend_dev_type(dev)),
                )
            )
    except (AttributeError, OSError, ValueError) as error:
        info.error = f"ggml registry unreadable: {error}"


@lru_cache(maxsize=1)
def build_info() -> BuildInfo:
    """Capabilities of the installed llama-cpp-python build (imports llama_cpp, loads no model)."""
    info = BuildInfo()
    try:
        import llama_cpp
    except (ImportError, OSError) as error:
        info.error = str(error)
        return info
    info.installed = True
    info.gpu_offload = bool(llama_cpp.llama_supports_gpu_offload())
    info.system_info = llama_cpp.llama_print_system_info().decode(errors="replace").strip()
    _ggml_registry(info)
    return info


def _run(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=5, check=False)  # nosec B603
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


@lru_cache(maxsize=1)
def machine_accelerators() -> tuple[tuple[str, str], ...]:
    """(kind, name) of each accelerator the machine has, whatever llama.cpp was built with."""
    found: list[tuple[str, str]] = []
    if shutil.which("nvidia-smi"):
        for line in _run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"]).splitlines():
            found.append(("cuda", line.strip()))
    if Path("/dev/kfd").exists() or shutil.which("rocm-smi"):
        products = _run(["rocm-smi", "--showproductname"]) if shutil.which("rocm-smi") else ""
        card = next((ln.split(":")[-1].strip() for ln in products.splitlines() if "Card" in ln), "")
        found.append(("rocm", card or "AMD GPU (/dev/kfd)"))
    if platform.system() == "Darwin" and platform.machine() == "arm64":
        found.append(("metal", "Apple Silicon GPU"))
    if not found and shutil.which("vulkaninfo"):
        summary = _run(["vulkaninfo", "--summary"])
        names = [ln.split("=")[-1].strip() for ln in summary.splitlines() if "deviceName" in ln]
        found.extend(("vulkan", name) for name in names if "llvmpipe" not in name.lower())
    if shutil.which("sycl-ls") and "level_zero:gpu" in _run(["sycl-ls"]):
        found.append(("sycl", "Intel GPU"))
    return tuple(found)


def cpu_has_amx() -> bool:
    """True when /proc/cpuinfo lists AMX tiles (native llama.cpp builds crash there)."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return "amx_tile" in text


def needs_amx_guard(system_info: str) -> bool:
    """Disable extra buffer types when the CPU has AMX and the build uses it (a native build).

    A portable build (GGML_NATIVE=OFF, AVX2) reports no AMX feature and is safe as is.
    """
    return cpu_has_amx() and ("AMX" in system_info or not system_info)


def cpu_threads() -> int:
    """Threads for generation: all cores on small machines, half (physical) on larger ones."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return cores if cores <= 4 else cores // 2


def omp_wait_policy(threads: int) -> str | None:
    """``PASSIVE`` when the machine is already busy, else None (OpenMP's default: spin briefly).

    Between the steps of a token llama.cpp's OpenMP threads wait for each other. Spinning is
    about twice as fast on an idle machine (68 against 37 tokens/s for the embedded model on two
    cores), but when other processes want the cores (a test suite, a build) spinning threads
    steal their time and decoding can fall to a fifth; passive waiting degrades gently. The
    one-minute load average at start-up decides; ``OMP_WAIT_POLICY`` in the environment wins.
    """
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        return "PASSIVE"
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    idle_cores = cores - load
    return None if idle_cores >= threads - 0.5 else "PASSIVE"


def _gpu_device(info: BuildInfo) -> tuple[str, str] | None:
    for name, description, kind in info.devices:
        if kind in (1, 2):
            registry = name.rstrip("0123456789").lower()
            return _REGISTRY_KINDS.get(registry, registry or "gpu"), description or name
    return None


def detect_device() -> DeviceInfo:
    """The device local inference will use, with notes on what would make it faster."""
    info = build_info()
    machine = machine_accelerators()
    notes: list[str] = []
    if not info.installed:
        notes.append("llama-cpp-python is not installed: no local inference")
        return DeviceInfo(kind="cpu", name=platform.processor() or "cpu", notes=tuple(notes))
    gpu = _gpu_device(info) if info.gpu_offload else None
    if gpu is not None:
        return DeviceInfo(kind=gpu[0], name=gpu[1], gpu_offload=True, notes=tuple(notes))
    for kind, name in machine:
        notes.append(
            f"{name} found, but this llama-cpp-python build has no {kind} support; "
            f"rebuild it: {REINSTALL.format(flags=BUILD_FLAGS.get(kind, ''))}"
        )
    cpu_name = next((d[1] for d in info.devices if d[2] == 0), "") or platform.processor()
    return DeviceInfo(
        kind="cpu", name=cpu_name or "cpu", gpu_offload=info.gpu_offload, notes=tuple(notes)
    )


_detection_lock = threading.Lock()
_detection: threading.Thread | None = None
_detected: DeviceInfo | None = None


def start_detection() -> None:
    """Run :func:`detect_device` once in a daemon thread (a no-op once started)."""
    global _detection

    def detect() -> None:
        global _detected
        try:
            _detected = detect_device()
        except Exception:  # a broken install: the worker reports it when it loads the model
            log.debug("device detection failed", exc_info=True)

    with _detection_lock:
        if _detection is None:
            _detection = threading.Thread(target=detect, name="protosmith-device", daemon=True)
            _detection.start()


def detected_device() -> DeviceInfo | None:
    """The device once :func:`start_detection` has found it; None until then (never blocks)."""
    return _detected


def plan_gpu_layers(requested: int | None) -> tuple[int, list[str]]:
    """Layers to offload: the request, or all when offload works; 0 with a warning otherwise."""
    info = build_info()
    warnings: list[str] = []
    if requested == 0:
        return 0, warnings
    if not info.gpu_offload:
        if requested is not None or machine_accelerators():
            device = detect_device()
            warnings.append(
                "GPU offload is not supported by this llama-cpp-python build; running on the CPU"
                + (f" ({device.notes[0]})" if device.notes else "")
            )
        return 0, warnings
    return (-1 if requested is None else requested), warnings
