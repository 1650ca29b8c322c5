"""Controls shared by the four explorer pages: labelled fields, dropdowns, option flags, the
sortable parameter table and the notes line. Layout only; no callbacks here."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from dash import dash_table, dcc, html
from dash.development.base_component import Component

from app.components.explorer_spec import ExplorerSpec

TABLE_STYLE = {
    "style_table": {"overflowX": "auto"},
    "style_cell": {
        "fontFamily": "inherit",
        "fontSize": "0.85rem",
        "padding": "0.3rem 0.5rem",
        "textAlign": "left",
        "whiteSpace": "normal",
        "height": "auto",
    },
    "style_header": {"fontWeight": "600", "backgroundColor": "#f5f7fa"},
}


def field(label: str, control, *, width: str | None = None) -> html.Div:
    """A control with its label above it."""
    style = {"minWidth": width} if width else None
    return html.Div(
        [html.Label(label, className="field-label"), control], className="field", style=style
    )


def dropdown(
    component_id: str,
    options: Sequence[dict],
    value,
    *,
    multi: bool = False,
    clearable: bool = True,
    placeholder: str = "any",
) -> dcc.Dropdown:
    """A searchable dropdown (``multi`` for filters)."""
    return dcc.Dropdown(
        id=component_id,
        options=list(options),
        value=value,
        multi=multi,
        clearable=clearable,
        placeholder=placeholder,
        style={"minWidth": "14rem"},
    )


def flags(component_id: str, options: dict[str, str], enabled: Sequence[str]) -> dcc.Checklist:
    """On/off options as one checklist; its value lists the state fields that are on."""
    return dcc.Checklist(
        id=component_id,
        options=[{"label": label, "value": name} for name, label in options.items()],
        value=list(enabled),
        inline=True,
        inputStyle={"marginRight": "0.3rem", "marginLeft": "0.6rem"},
    )


def number_input(component_id: str, value, *, placeholder: str = "", step="any") -> dcc.Input:
    """A number box that reports on blur or Enter (not on every keystroke)."""
    return dcc.Input(
        id=component_id,
        type="number",
        value=value,
        placeholder=placeholder,
        step=step,
        debounce=True,
        className="text-input",
        style={"width": "11rem"},
    )


def metric_field(
    label: str, component_id: str, choices, value: str, *, first: Sequence[str] = ()
) -> html.Div:
    """A metric picker: a short list (``first``, the most widely measured, the chosen), the
    other metrics found by typing (``register_metric_search``)."""
    from app.views.choices import METRIC_OPTIONS_LIMIT, metric_picker_options

    options = metric_picker_options(choices, value, first)
    if choices.metrics_beyond(METRIC_OPTIONS_LIMIT):
        label = f"{label} (type to search {len(choices.metrics)})"
    return field(label, dropdown(component_id, options, value, clearable=False))


def exclude_field(
    component_id: str, excluded: list[str], *, label: str = "excluded points (click a point to add)"
) -> html.Div:
    """The dropdown of points left out of the fits (a click on a point adds or removes it)."""
    from app.views.exclusions import exclude_options

    control = dropdown(component_id, exclude_options(excluded), excluded, multi=True)
    return field(label, control, width="20rem")


def parameter_table(component_id: str, rows: list[dict], *, page_size: int = 25) -> html.Div:
    """A sortable table (click a header to sort) of fitted parameters or per-model values."""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    return dash_table.DataTable(
        id=component_id,
        data=rows,
        columns=[{"name": c, "id": c} for c in columns],
        sort_action="native",
        page_size=page_size,
        **TABLE_STYLE,
    )


def table_columns(rows: list[dict]) -> list[dict]:
    """DataTable column specs for ``rows`` (in first-seen key order)."""
    return [{"name": c, "id": c} for c in dict.fromkeys(key for row in rows for key in row)]


def notes(component_id: str, lines: Sequence[str]) -> html.Div:
    """Short remarks under the plot (groups too small to fit, why nothing shows...)."""
    return html.Div([html.P(line) for line in lines], id=component_id, className="muted")


def shown_if(visible: bool) -> dict:
    """The style of a group of fields: laid out in the toolbar, or hidden."""
    return {"display": "contents"} if visible else {"display": "none"}


def field_group(component_id: str, fields: list, *, visible: bool = True) -> html.Div:
    """Fields that only some modes of a page use (shown or hidden together)."""
    return html.Div(fields, id=component_id, style=shown_if(visible))


def explorer_page(spec: ExplorerSpec, *, controls, view, state) -> html.Div:
    """The body every explorer shares: the spec's title and lead, the ``controls``, the plot
    with its export panel, the notes, each of the spec's tables filled from ``view``, and the
    URL state store."""
    from app.components.plot_panel import plot_panel
    from app.components.procedure import procedure_box
    from app.components.url_state import url_state_store
    from app.views.common import fit_export_records, notes_text

    parts = [
        html.H2(spec.title),
        html.P(spec.lead, className="lead"),
        controls,
        procedure_box(spec.path, view.fits),
        plot_panel(page=spec.path, figure=view.figure, fits=fit_export_records(view)),
        html.P(notes_text(view), id=spec.notes, className="muted"),
    ]
    for heading, table_id, attribute in spec.tables:
        parts += [html.H3(heading), parameter_table(table_id, getattr(view, attribute))]
    if view.fits is not None:
        state = view.fits.state
    return html.Div([*parts, url_state_store(spec.path, state)])


def explorer_layout(
    spec: ExplorerSpec,
    *,
    read_choices: Callable,
    controls: Callable,
    empty: Callable[[], Component] | None = None,
) -> Callable[..., Component]:
    """The page's ``layout(**query)``: the explorer for the view state in the query string
    (defaults fill what it leaves out). ``read_choices(session, state)`` gives the control
    options and the resolved state, read in the one transaction the view is then built in;
    ``controls(state, choices)`` the toolbar, ``empty()`` (or a plain notice) the page when
    there is nothing to plot."""

    def layout(**query) -> Component:
        from app.components.empty_state import empty_state
        from app.session import ui_session
        from app.state import decode_state

        with ui_session() as session:  # one transaction: the catalog is read once
            choices, state = read_choices(session, decode_state(spec.state_cls, query))
            if choices.is_empty:
                if empty is not None:
                    return empty()
                return html.Div([html.H2(spec.title), empty_state("No measurements yet")])
            view = spec.build(session, state)
        return explorer_page(spec, controls=controls(state, choices), view=view, state=state)

    layout.__doc__ = f"The {spec.title} page for the view state in the query string."
    return layout
