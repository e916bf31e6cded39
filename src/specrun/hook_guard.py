"""Keep a failing plugin hook from killing the run.

:class:`HookGuard` hooks into pluggy's call monitoring
(``PluginManager.add_hookcall_monitoring``): right before a lifecycle hook is
called, each implementation in that call's (copied) list is swapped for a copy
whose function catches ``Exception``, records it as a :class:`HookFailure`
(plugin name, hook, error, traceback) and returns ``None``.  pluggy still orders
and calls the implementations itself, so ``tryfirst``, ``trylast`` and wrappers
(new-style ``wrapper=True`` and old-style ``hookwrapper=True``) keep their
meaning; every other implementation still receives the event.  The session turns
recorded failures into exit code 3 at the end.
"""

from __future__ import annotations

import copy
import threading
import traceback
from collections.abc import Callable, Generator, Iterable, Mapping, MutableSequence, Sequence
from dataclasses import dataclass
from typing import Any

import pluggy

# Hooks whose implementations are guarded: the events reporters consume, plus
# configure / unconfigure.  Registry and firstresult hooks are not guarded: a bug
# there leaves the run without a consistent plan, so it stays an internal error.
LIFECYCLE_HOOKS: frozenset[str] = frozenset({
    "specrun_configure", "specrun_unconfigure", "specrun_sessionstart", "specrun_spec_error",
    "specrun_collection_finish", "specrun_case_start", "specrun_case_finish",
    "specrun_transition_validated", "specrun_record", "specrun_sessionfinish",
})


@dataclass
class HookFailure:
    """One plugin hook implementation that raised (``count`` times, same error)."""

    plugin: str
    hook: str
    error: str          # "RuntimeError: boom"
    traceback: str      # of the first occurrence
    count: int = 1

    def __str__(self) -> str:
        times = f" ({self.count} calls)" if self.count > 1 else ""
        return f"plugin {self.plugin!r} failed in {self.hook}{times}: {self.error}"


class HookGuard:
    """Records lifecycle-hook failures instead of letting them end the run."""

    def __init__(self, hooks: Iterable[str] = LIFECYCLE_HOOKS) -> None:
        self.hooks = frozenset(hooks)
        self.failures: list[HookFailure] = []
        self._guarded: dict[pluggy.HookImpl, pluggy.HookImpl] = {}
        self._lock = threading.Lock()

    def install(self, pm: pluggy.PluginManager) -> Callable[[], None]:
        """Start guarding ``pm``'s lifecycle hooks; returns the undo function."""
        return pm.add_hookcall_monitoring(self._before, self._after)

    # -- pluggy monitoring callbacks ---------------------------------------------

    def _before(self, hook_name: str, hook_impls: Sequence[pluggy.HookImpl],
                kwargs: Mapping[str, Any]) -> None:
        if hook_name not in self.hooks:
            return
        if not isinstance(hook_impls, MutableSequence):
            # Guarding swaps the items in place; a pluggy that handed out a read-only
            # sequence would silently leave the hooks unguarded, so say so instead.
            raise TypeError(f"pluggy passed {type(hook_impls).__name__} hook implementations; "
                            "HookGuard needs the per-call list")
        # pluggy hands every call its own copy of the list: swapping items here
        # changes this call only, never the registered implementations.
        for index, impl in enumerate(hook_impls):
            hook_impls[index] = self._guarded_impl(impl, hook_name)

    def _after(self, outcome: Any, hook_name: str, hook_impls: Any, kwargs: Any) -> None:
        return None

    # -- guarded copies ----------------------------------------------------------

    def _guarded_impl(self, impl: pluggy.HookImpl, hook: str) -> pluggy.HookImpl:
        with self._lock:
            guarded = self._guarded.get(impl)
            if guarded is None:
                guarded = copy.copy(impl)
                if impl.wrapper or impl.hookwrapper:
                    function: Callable[..., Any] = self._guard_wrapper(
                        impl.function, impl.plugin_name, hook, new_style=impl.wrapper)
                else:
                    function = self._guard_call(impl.function, impl.plugin_name, hook, new_style=impl.wrapper)
                object.__setattr__(guarded, "function", function)
                self._guarded[impl] = guarded
            return guarded

    def _guard_call(self, function: Callable[..., Any], plugin: str, hook: str,
                    new_style: bool = False) -> Callable[..., Any]:
        def guarded(*args: Any) -> Any:
            try:
                return function(*args)
            except Exception as exc:
                self.record(plugin, hook, exc)
                return None
        return guarded

    def _guard_wrapper(self, function: Callable[..., Any], plugin: str, hook: str,
                       new_style: bool) -> Callable[..., Generator[None, Any, Any]]:
        """A wrapper generator that yields exactly once, whatever the plugin's does."""
        def guarded(*args: Any) -> Generator[None, Any, Any]:
            try:
                inner = function(*args)
                next(inner)
            except StopIteration:
                self.record(plugin, hook, RuntimeError("the wrapper did not yield"))
                return (yield)
            except Exception as exc:
                self.record(plugin, hook, exc)
                return (yield)
            try:
                sent = yield
            except BaseException as exc:   # new-style wrappers receive the inner exception
                try:
                    inner.throw(exc)
                except StopIteration as stop:
                    return stop.value
                raise
            try:
                inner.send(sent)
            except StopIteration as stop:
                return stop.value
            except Exception as exc:
                self.record(plugin, hook, exc)
                return sent if new_style else None
            inner.close()
            self.record(plugin, hook, RuntimeError("the wrapper yielded more than once"))
            return sent if new_style else None
        return guarded

    # -- failures ------------------------------------------------------------------

    def record(self, plugin: str, hook: str, exc: BaseException) -> None:
        error = f"{type(exc).__name__}: {exc}"
        with self._lock:
            for failure in self.failures:
                if (failure.plugin, failure.hook, failure.error) == (plugin, hook, error):
                    failure.count += 1
                    return
            text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
            self.failures.append(HookFailure(plugin, hook, error, text))
