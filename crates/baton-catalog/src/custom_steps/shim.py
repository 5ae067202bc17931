# baton's bridge to Spec Kit custom step packages (Python). This is baton's own
# compatibility module, written from baton's behaviour spec; it is not Spec Kit code.
#
# It provides the names step packages import -- `specify_cli.workflows.base`
# (StepBase, StepResult, StepStatus, RunStatus, StepContext) and
# `specify_cli.workflows.expressions` (evaluate_expression, evaluate_condition, which
# call back into baton) -- without ever importing the real `specify_cli`, then imports
# packages the way Spec Kit does and talks to baton in JSON lines:
#
#   python3 -B -c <this file> serve
#
# The process serves requests until stdin closes: baton writes one request line
# (`{"mode": "probe"|"validate"|"execute", ...}`); the shim answers one line on its
# stdout (`{"result": ...}` or `{"raised": ...}`), possibly after callback lines
# (`{"op": "evaluate", "value": ...}`) that baton answers on stdin. A package is
# imported once per process and its step instance reused, as Spec Kit does. Whatever
# a package prints goes to stderr.

import abc
import dataclasses
import enum
import hashlib
import importlib.util
import json
import os
import re
import sys
import types

_PROTOCOL = os.fdopen(os.dup(1), "w", encoding="utf-8")
os.dup2(2, 1)
sys.stdout = sys.stderr
if sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]


def _jsonable(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return str(value)


def _send(message):
    _PROTOCOL.write(json.dumps(message, default=_jsonable) + "\n")
    _PROTOCOL.flush()


def _receive():
    line = sys.stdin.readline()
    if not line:
        raise SystemExit(3)
    return json.loads(line)


# -- specify_cli.workflows.base ----------------------------------------------------

class StepStatus(str, enum.Enum):
    """Status of a step execution."""

    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    SKIPPED = "skipped"
    PAUSED = "paused"


class RunStatus(str, enum.Enum):
    """Status of a workflow run."""

    CREATED = "created"
    RUNNING = "running"
    PAUSED = "paused"
    COMPLETED = "completed"
    FAILED = "failed"
    ABORTED = "aborted"


@dataclasses.dataclass
class StepContext:
    """What a step sees besides its configuration."""

    inputs: dict = dataclasses.field(default_factory=dict)
    steps: dict = dataclasses.field(default_factory=dict)
    item: object = None
    inside_fan_out: bool = False
    fan_in: dict = dataclasses.field(default_factory=dict)
    default_integration: object = None
    default_model: object = None
    default_options: dict = dataclasses.field(default_factory=dict)
    project_root: object = None
    run_id: object = None
    is_resume: bool = False
    workflow_dir: object = None


@dataclasses.dataclass
class StepResult:
    """What a step returns."""

    status: StepStatus = StepStatus.COMPLETED
    output: dict = dataclasses.field(default_factory=dict)
    next_steps: list = dataclasses.field(default_factory=list)
    error: object = None


class StepBase(abc.ABC):
    """Base class of step types: subclasses set `type_key` and implement `execute`."""

    type_key = ""

    @abc.abstractmethod
    def execute(self, config, context):
        """Run the step with its configuration and context; return a StepResult."""

    def validate(self, config):
        """Problems with a step's configuration (empty when valid)."""
        errors = []
        if "id" not in config:
            errors.append("Step is missing required 'id' field.")
        return errors

    def can_resume(self, state):
        """Whether the step can be resumed from `state`."""
        return True


# -- specify_cli.workflows.expressions ---------------------------------------------

def evaluate_expression(template, context=None):
    """baton evaluates `{{ }}` templates against the running workflow's context."""
    if not isinstance(template, str):
        return template
    _send({"op": "evaluate", "value": template})
    reply = _receive()
    if "error" in reply:
        raise ValueError(reply["error"])
    return reply.get("value")


def evaluate_condition(condition, context=None):
    """baton evaluates a condition against the running workflow's context."""
    if not isinstance(condition, str):
        return bool(condition)
    _send({"op": "condition", "value": condition})
    reply = _receive()
    if "error" in reply:
        raise ValueError(reply["error"])
    return bool(reply.get("value"))


def _module(name, **attrs):
    module = types.ModuleType(name)
    module.__dict__.update(attrs)
    sys.modules[name] = module
    return module


for _cls in (StepStatus, RunStatus, StepContext, StepResult, StepBase):
    _cls.__module__ = "specify_cli.workflows.base"
_module("specify_cli", __path__=[])
_module("specify_cli.workflows", __path__=[])
_base = _module(
    "specify_cli.workflows.base",
    StepStatus=StepStatus,
    RunStatus=RunStatus,
    StepContext=StepContext,
    StepResult=StepResult,
    StepBase=StepBase,
)
_expressions = _module(
    "specify_cli.workflows.expressions",
    evaluate_expression=evaluate_expression,
    evaluate_condition=evaluate_condition,
)
sys.modules["specify_cli"].workflows = sys.modules["specify_cli.workflows"]
sys.modules["specify_cli.workflows"].base = _base
sys.modules["specify_cli.workflows"].expressions = _expressions


# -- loading packages --------------------------------------------------------------

def _load(step_dir, type_key):
    """Import a package as Spec Kit does; return its step instance or None."""
    safe_key = re.sub(r"[^A-Za-z0-9_]", "_", type_key)
    key_hash = hashlib.sha256(type_key.encode()).hexdigest()[:8]
    name = f"_speckit_custom_step_{safe_key}_{key_hash}"
    spec = importlib.util.spec_from_file_location(
        name, os.path.join(step_dir, "__init__.py"), submodule_search_locations=[step_dir]
    )
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    module.__package__ = name
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
        for attr_name in dir(module):
            attr = getattr(module, attr_name)
            try:
                if (
                    isinstance(attr, type)
                    and issubclass(attr, StepBase)
                    and attr is not StepBase
                    and getattr(attr, "type_key", "") == type_key
                ):
                    return attr()
            except TypeError:
                continue
        return None
    except BaseException:
        for key in [k for k in sys.modules if k == name or k.startswith(name + ".")]:
            sys.modules.pop(key, None)
        raise


def _probe(request):
    loaded = set()
    results = []
    for candidate in request["packages"]:
        key = candidate["type_key"]
        if key in loaded:
            results.append({"ok": False, "validates": False, "reason": "duplicate"})
            continue
        try:
            step = _load(candidate["dir"], key)
        except BaseException as exc:  # noqa: BLE001 -- any failure skips the package
            results.append({"ok": False, "validates": False, "reason": f"{type(exc).__name__}: {exc}"})
            continue
        if step is None:
            results.append({"ok": False, "validates": False, "reason": "no StepBase subclass with this type_key"})
            continue
        loaded.add(key)
        _INSTANCES[(candidate["dir"], key)] = step
        validates = type(step).validate is not StepBase.validate
        results.append({"ok": True, "validates": validates})
    # The real interpreter, so later calls skip launchers such as pyenv's shims.
    return {"result": results, "executable": sys.executable}


_INSTANCES = {}


def _instance(request):
    key = (request["dir"], request["type_key"])
    step = _INSTANCES.get(key)
    if step is None:
        step = _load(*key)
        if step is None:
            raise RuntimeError(f"Unknown step type: {request['type_key']!r}")
        _INSTANCES[key] = step
    return step


def _validate(request):
    errors = _instance(request).validate(request["config"])
    return {"result": [str(e) for e in (errors or [])]}


def _execute(request):
    step = _instance(request)
    raw = request["context"]
    context = StepContext(**{f.name: raw[f.name] for f in dataclasses.fields(StepContext) if f.name in raw})
    result = step.execute(request["config"], context)
    if not isinstance(result, StepResult):
        raise TypeError(f"execute() returned {type(result).__name__}, not StepResult")
    status = result.status.value if isinstance(result.status, enum.Enum) else str(result.status)
    return {
        "result": {
            "status": status,
            "output": result.output if result.output is not None else {},
            "next_steps": list(result.next_steps or []),
            "error": None if result.error is None else str(result.error),
        }
    }


def _main():
    handlers = {"probe": _probe, "validate": _validate, "execute": _execute}
    while True:
        line = sys.stdin.readline()
        if not line:
            return
        request = json.loads(line)
        handler = handlers.get(request.get("mode"))
        try:
            if handler is None:
                raise ValueError(f"unknown mode {request.get('mode')!r}")
            reply = handler(request)
        except BaseException as exc:  # noqa: BLE001 -- reported to baton as the step's error
            reply = {"raised": str(exc), "exception": type(exc).__name__}
        _send(reply)


_main()
