"""Start-up check of the `TT_` settings, used by every process to build its settings.

A bad value stops the process with one line per bad variable, naming the variable, its value
(`<hidden>` for a secret) and what is allowed, and a non-zero exit without a traceback: an
operator reads the variable they set, not a pydantic field path. `TT_` variables no settings
class of the platform reads (a typo, most often) are warned about in one line with a close match.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.util
import logging
import os
import sys
import types
import typing
from collections.abc import Iterable, Mapping
from typing import TypeVar

from pydantic import AliasChoices, SecretStr, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import SettingsError

from shared.settings import SERVICES, PlatformSettings

log = logging.getLogger(__name__)

S = TypeVar("S", bound=PlatformSettings)

# Read outside the settings classes: the image's entry point, the launcher, the benchmarks.
ALLOWED_VARIABLES = frozenset({"TT_APP", "TT_BIND_HOST", "TT_RUN_DIR", "TT_RUN_SERVICES"})
ALLOWED_PREFIXES = ("TT_BENCH_",)
# Exit status of a process refused at start for its configuration (EX_CONFIG, sysexits.h).
EXIT_BAD_CONFIG = 78


def load_settings(cls: type[S]) -> S:
    """`cls()` from the environment; on a bad value, the one-line errors and exit."""
    try:
        settings = cls()
    except ValidationError as exc:
        _refuse(describe_errors(cls, exc, os.environ))
    except SettingsError as exc:  # a value pydantic-settings could not even decode
        _refuse([f"settings are not valid: {exc}"])
    warn_unknown_variables(os.environ)
    return settings


def _refuse(lines: Iterable[str]) -> typing.NoReturn:
    for line in lines:
        print(line, file=sys.stderr, flush=True)
    raise SystemExit(EXIT_BAD_CONFIG)


def describe_errors(cls: type[PlatformSettings], exc: ValidationError, environ: Mapping[str, str]) -> list[str]:
    """One line per variable (a union type reports each alternative; the first one says it)."""
    lines: dict[str, str] = {}
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else ""
        variable = variable_name(cls, name) if name else cls.__name__
        if variable not in lines:
            lines[variable] = _describe(cls, name, variable, error, environ)
    return list(lines.values())


def _describe(cls, name: str, variable: str, error, environ: Mapping[str, str]) -> str:
    if error["type"] == "missing":
        return f"{variable} is not set: it is required"
    allowed = error["msg"].removeprefix("Value error, ")
    field = cls.model_fields.get(name)
    if field is not None and _is_secret(field.annotation):
        shown = "<hidden>"
    else:
        shown = repr(_raw_value(variable, environ, error.get("input")))
    return f"{variable}={shown} is not valid: {allowed}"


def _raw_value(variable: str, environ: Mapping[str, str], fallback: object) -> object:
    """The string as set in the environment (names are case-insensitive), else the input."""
    for key, value in environ.items():
        if key.upper() == variable:
            return value
    return fallback


def _is_secret(annotation: object) -> bool:
    if annotation is SecretStr:
        return True
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return any(_is_secret(arg) for arg in typing.get_args(annotation))
    return False


def variable_name(cls: type[PlatformSettings], name: str) -> str:
    """The environment variable a field (or an error location naming its alias) is read from."""
    field = cls.model_fields.get(name)
    if field is None:  # the location is an alias: the variable itself
        return name.upper()
    return field_variables(cls, name, field)[0]


def field_variables(cls: type[PlatformSettings], name: str, field: FieldInfo) -> list[str]:
    alias = field.validation_alias
    if isinstance(alias, AliasChoices):
        names = [choice for choice in alias.choices if isinstance(choice, str)]
    elif isinstance(alias, str):
        names = [alias]
    else:
        names = [f"{cls.model_config.get('env_prefix', '')}{name}"]
    return [n.upper() for n in names]


def known_variables(classes: Iterable[type[PlatformSettings]]) -> set[str]:
    known = set(ALLOWED_VARIABLES)
    for cls in classes:
        for name, field in cls.model_fields.items():
            known.update(field_variables(cls, name, field))
    return known


PACKAGES = ("gateway", *SERVICES)


def platform_settings_classes() -> list[type[PlatformSettings]]:
    """Every process's settings class that is installed here: the launcher hands one environment
    to them all, so a variable is unknown only when none of them reads it."""
    classes: list[type[PlatformSettings]] = [PlatformSettings]
    for package in PACKAGES:
        try:
            module = importlib.import_module(f"{package}.settings")
        except ImportError:
            continue
        classes += [
            value
            for value in vars(module).values()
            if isinstance(value, type) and issubclass(value, PlatformSettings) and value is not PlatformSettings
        ]
    return classes


def every_process_installed() -> bool:
    return all(importlib.util.find_spec(package) is not None for package in PACKAGES)


def unknown_variables(environ: Mapping[str, str], known: set[str]) -> list[str]:
    return sorted(
        key
        for key in environ
        if key.upper().startswith("TT_") and key.upper() not in known and not key.upper().startswith(ALLOWED_PREFIXES)
    )


def unknown_variables_warning(environ: Mapping[str, str], known: set[str]) -> str | None:
    """One line naming each unknown variable, with the closest known name when there is one."""
    unknown = unknown_variables(environ, known)
    if not unknown:
        return None
    described = []
    for key in unknown:
        match = difflib.get_close_matches(key.upper(), known, n=1, cutoff=0.75)
        described.append(f"{key} (did you mean {match[0]}?)" if match else key)
    return "ignoring unknown TT_ variables, read by no process of the platform: " + ", ".join(described)


_warned: list[bool] = []


def warn_unknown_variables(environ: Mapping[str, str]) -> None:
    """At most once per process (the launcher loads settings once per service it migrates).
    Only where every process's settings are installed (`make run`, a development install): an
    image holding one service cannot tell another service's variable from a typo."""
    if _warned or not every_process_installed():
        return
    _warned.append(True)
    warning = unknown_variables_warning(environ, known_variables(platform_settings_classes()))
    if warning:
        log.warning(warning)
