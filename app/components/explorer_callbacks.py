"""The callbacks the explorer pages share, registered by one call per page: controls ->
state -> view -> every output of the page; a clicked point toggled in the excluded list; two
groups of fields shown by a control's value; a model picker searched as one types.

Each callback is registered under the page's module and a fixed name (``<module>.update``,
``<module>.exclude_clicked``, ...), so the share-link gate (``app.access_gate``) attributes it
to its page as it would a callback written in the page module."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from dash import Input, Output, State, callback

from app import ids
from app.components.explorer import shown_if
from app.components.explorer_spec import ExplorerSpec
from app.components.export_sources import register_point_source
from app.state import decode_state
from app.views.choices import Choices, metric_search_options, model_options
from app.views.common import build_in_session, explorer_outputs, state_from_controls
from app.views.exclusions import exclude_options, toggle_clicked


def _register(module: str, name: str, func: Callable, *dependencies) -> Callable:
    """Register ``func`` as the callback ``module.name`` (not an initial call)."""
    func.__module__, func.__name__, func.__qualname__ = module, name, name
    return callback(*dependencies, prevent_initial_call=True)(func)


def register_explorer(spec: ExplorerSpec) -> Callable:
    """The page's one update: the spec's ``controls`` (state field -> component, property) and
    ``flags`` checklist make the state; its view fills the figure, fit store, table, notes,
    URL state, procedure box (and the ``details`` table). With ``exclude`` (the dropdown of
    excluded points) a click on a point toggles it there. The view's points are what the
    panel's CSV export writes."""
    path, details = spec.path, spec.details
    outputs = [
        Output(ids.graph_id(path), "figure"),
        Output(ids.fit_params_id(path), "data"),
        Output(spec.table, "data"),
        Output(spec.table, "columns"),
        Output(spec.notes, "children"),
        Output(ids.url_state_id(path), "data"),
        Output(ids.procedure_id(path), "children"),
    ]
    if details:
        outputs += [Output(details, "data"), Output(details, "columns")]
    fields = list(spec.controls)

    def update(*values):
        """Controls -> state -> view (the page's pipeline in ``app.views``)."""
        state = state_from_controls(
            spec.state_cls, dict(zip(fields, values[:-1], strict=True)), values[-1]
        )
        return explorer_outputs(build_in_session(spec.build, state), state, details=bool(details))

    inputs = [Input(component, prop) for component, prop in spec.controls.values()]
    if spec.exclude:
        register_exclude_click(module=spec.module, path=path, exclude=spec.exclude)
    register_point_source(
        path,
        lambda query: build_in_session(spec.build, decode_state(spec.state_cls, query)).points,
    )
    return _register(spec.module, "update", update, *outputs, *inputs, Input(spec.flags, "value"))


def register_exclude_click(*, module: str, path: str, exclude: str) -> Callable:
    """A clicked point joins the excluded ones of the ``exclude`` dropdown (clicking it again
    brings it back)."""

    def exclude_clicked(click, excluded):
        """The excluded points with the clicked one toggled, and their options."""
        chosen = toggle_clicked(click, excluded)
        return chosen, exclude_options(chosen)

    return _register(
        module,
        "exclude_clicked",
        exclude_clicked,
        Output(exclude, "value"),
        Output(exclude, "options"),
        Input(ids.graph_id(path), "clickData"),
        State(exclude, "value"),
    )


def register_field_toggle(
    *, module: str, name: str, control: str, first: str, second: str, second_when: str
) -> Callable:
    """Show the field group ``second`` when ``control`` is ``second_when``, else ``first``."""

    def toggle(value):
        """The styles of the two field groups."""
        return shown_if(value != second_when), shown_if(value == second_when)

    outputs = (Output(first, "style"), Output(second, "style"))
    return _register(module, name, toggle, *outputs, Input(control, "value"))


def register_model_search(*, module: str, models: str) -> Callable:
    """The ``models`` dropdown's options: model names matching what is typed (the chosen ones
    stay)."""

    def search_models(search, selected):
        """Matching model names, the selected ones kept."""
        return model_options(search, selected)

    return _register(
        module,
        "search_models",
        search_models,
        Output(models, "options"),
        Input(models, "search_value"),
        State(models, "value"),
    )


def register_metric_search(
    *,
    module: str,
    pickers: Sequence[str],
    first: Callable[[Choices], Sequence[str]] | None = None,
) -> None:
    """Each metric picker's options: the metrics matching what is typed (the chosen stay),
    ranked by ``first(choices)`` then by how widely each is measured."""
    for picker in pickers:

        def search_metrics(search, chosen):
            """Matching metrics, the chosen kept."""
            return metric_search_options(search, chosen, first)

        _register(
            module,
            f"search_{picker.replace('-', '_')}",
            search_metrics,
            Output(picker, "options"),
            Input(picker, "search_value"),
            State(picker, "value"),
        )
