"""Component ids of the dashboard, as constants (one place, no typos across modules).

Plain string ids belong to the shell (``layout.py``) and to one page each. Dict ids are the
pattern-matching families that the shell's components (share, export, URL sync, click-to-model)
find on any page; build them with the helpers below so that every page spells them alike.
"""

from __future__ import annotations

# Shell
NAVIGATE = "shell-navigate"  # dcc.Location(refresh="callback-nav") for click-to-model navigation
NAVBAR = "shell-navbar"
PAGE = "shell-page"
URL_SYNC_SINK = "shell-url-sync-sink"
SHARE_OPEN = "share-open"
SHARE_MODAL = "share-modal"
SHARE_CLOSE = "share-close"
SHARE_PIN = "share-pin"
SHARE_CREATE = "share-create"
SHARE_LINK = "share-link"
SHARE_MESSAGE = "share-message"
SHARE_COPY = "share-copy"
CLICK_SINK = "shell-click-sink"
ACCESS_NOTICE = "shell-access-notice"  # why an action was refused (app.access)
USER_MENU = "shell-user-menu"  # who is logged in, log in / log out
UPLOAD_READ_ONLY = "upload-read-only"  # the note a viewer sees instead of the upload actions

# Pattern-matching families (the "type" key of a dict id)
URL_STATE = "url-state"  # dcc.Store: the page's encoded view state (query string)
PROCEDURE = "procedure"  # html.Div: "as published / custom", citation, excluded points
GRAPH = "graph"  # dcc.Graph of a plot panel
FIT_PARAMS = "fit-params"  # dcc.Store: fitted parameters of a plot panel (list of records)
EXPORT = "export"  # html.Button of an export menu; "format" says what it exports
EXPORT_DOWNLOAD = "export-download"  # dcc.Download of a plot panel
EXPORT_SINK = "export-sink"  # hidden output of the client-side image export

EXPORT_FORMATS = ("png", "svg", "csv-points", "csv-fits", "json")

# Home
HOME_SUMMARY = "home-summary"

# Models
MODELS_SEARCH = "models-search"
MODELS_TABLE = "models-table"
MODELS_CHECKPOINTS = "models-checkpoints"
MODELS_COUNT = "models-count"

MODELS_CHECKPOINT_TABLE = "models-checkpoint-table"
MODELS_CHECKPOINT_MODEL = "models-checkpoint-model"

# Model
MODEL_NAME = "model-name"
MODEL_CURVE_METRIC = "model-curve-metric"
MODEL_CURVE_X = "model-curve-x"
MODEL_CURVE_LOG_X = "model-curve-log-x"
MODEL_CHECKPOINT_TABLE = "model-checkpoint-table"

# Coverage
COVERAGE_KIND = "coverage-kind"
COVERAGE_SEARCH = "coverage-search"
COVERAGE_EVAL_SEARCH = "coverage-eval-search"
COVERAGE_SUMMARY = "coverage-summary"
COVERAGE_MISSING = "coverage-missing-view"  # what each drawn model lacks

# Pinned shared view
PINNED_BANNER = "pinned-banner"
PINNED_LIVE_REDIRECT = "pinned-live-redirect"

# Upload
UPLOAD_DROP = "upload-drop"
UPLOAD_FILE = "upload-file"  # dcc.Store: the dropped file (name + base64 content)
UPLOAD_REPLY = "upload-reply"  # dcc.Store: the API's answer to the streamed upload (upload.js)
UPLOAD_PROGRESS = "upload-progress"  # progress bar of the streamed upload
UPLOAD_PREVIEW = "upload-preview"
UPLOAD_CONFIRM = "upload-confirm"
UPLOAD_RESULT = "upload-result"
UPLOAD_LIST = "upload-list"
UPLOAD_UNDO_ASK = "upload-undo-ask"  # the panel that asks before undoing
UPLOAD_UNDO_TEXT = "upload-undo-text"  # what undoing removes
UPLOAD_UNDO_YES = "upload-undo-yes"
UPLOAD_UNDO_NO = "upload-undo-no"
UPLOAD_UNDO_PENDING = "upload-undo-pending"  # dcc.Store: the upload asked about
UPLOAD_UNDO = "upload-undo"  # dict id family: {"type": UPLOAD_UNDO, "upload": id}
UPLOAD_PROBLEMS = "upload-problems"
UPLOAD_COUNTS = "upload-counts"
UPLOAD_FORMAT = "upload-detected-format"
UPLOADS_TABLE = "uploads-table"

# Jobs
JOBS_CHECKPOINTS = "jobs-checkpoints"
JOBS_EVAL_SETS = "jobs-eval-sets"
JOBS_BATCH_SIZE = "jobs-batch-size"
JOBS_LAUNCH = "jobs-launch"
JOBS_LAUNCH_MISSING = "jobs-launch-missing"
JOBS_MESSAGE = "jobs-message"
JOBS_TABLE = "jobs-table"
JOBS_COUNTS = "jobs-counts"
JOBS_DETAIL = "jobs-detail"
JOBS_SELECTED = "jobs-selected"  # dcc.Store: the job whose log is shown
JOBS_REFRESH = "jobs-refresh"  # dcc.Store bumped after a launch, cancel or retry
JOBS_TICK = "jobs-tick"  # dcc.Interval: live progress
JOBS_SHOWN = "jobs-shown"  # dcc.Store: what the table, counts and log show (live patches)
JOBS_RUNNABLE = "jobs-runnable"  # what can run here, what cannot and why
JOBS_ACTION = "jobs-action"  # dict id family: {"type": JOBS_ACTION, "job": id, "action": ...}

# Loss-to-loss
L2L_X = "l2l-x"
L2L_Y = "l2l-y"
L2L_PAIRING = "l2l-pairing"
L2L_X_DATA = "l2l-x-data"
L2L_Y_DATA = "l2l-y-data"
L2L_GROUP = "l2l-group"
L2L_DATA = "l2l-data"
L2L_FAMILY = "l2l-family"
L2L_EXTRAPOLATE = "l2l-extrapolate"
L2L_PROCEDURE = "l2l-procedure"
L2L_IRREDUCIBLE = "l2l-irreducible"
L2L_EXCLUDE = "l2l-exclude"
L2L_FLAGS = "l2l-flags"
L2L_TABLE = "l2l-table"
L2L_NOTES = "l2l-notes"
L2L_PAIRING_FIELDS = "l2l-pairing-fields"
L2L_GROUP_FIELDS = "l2l-group-fields"

# Scaling
SCALING_MODE = "scaling-mode"
SCALING_METRIC = "scaling-metric"
SCALING_X = "scaling-x"
SCALING_LAW = "scaling-law"
SCALING_GROUP = "scaling-group"
SCALING_DATA = "scaling-data"
SCALING_FAMILY = "scaling-family"
SCALING_PREDICT = "scaling-predict"
SCALING_MODELS = "scaling-models"
SCALING_CURVE_X = "scaling-curve-x"
SCALING_DROP_HIGHEST = "scaling-drop-highest"
SCALING_EXCLUDE = "scaling-exclude"
SCALING_FLAGS = "scaling-flags"
SCALING_TABLE = "scaling-table"
SCALING_NOTES = "scaling-notes"
SCALING_LAW_FIELDS = "scaling-law-fields"
SCALING_CURVE_FIELDS = "scaling-curve-fields"

# Robustness
ROBUSTNESS_ID = "robustness-id"
ROBUSTNESS_OOD = "robustness-ood"
ROBUSTNESS_TRANSFORM = "robustness-transform"
ROBUSTNESS_GROUP = "robustness-group"
ROBUSTNESS_BASELINE = "robustness-baseline"
ROBUSTNESS_FAMILY = "robustness-family"
ROBUSTNESS_DATA = "robustness-data"
ROBUSTNESS_EXCLUDE = "robustness-exclude"
ROBUSTNESS_FLAGS = "robustness-flags"
ROBUSTNESS_TAORI_LINK = "robustness-taori-link"
ROBUSTNESS_FIT_TABLE = "robustness-fit-table"
ROBUSTNESS_TABLE = "robustness-table"
ROBUSTNESS_NOTES = "robustness-notes"

# Frequency
FREQUENCY_VIEW = "frequency-view"
FREQUENCY_EVAL_SET = "frequency-eval-set"
FREQUENCY_CORPUS = "frequency-corpus"
FREQUENCY_METHOD = "frequency-method"
FREQUENCY_MODELS = "frequency-models"
FREQUENCY_TRIM = "frequency-trim"
FREQUENCY_FLAGS = "frequency-flags"
FREQUENCY_TABLE = "frequency-table"
FREQUENCY_NOTES = "frequency-notes"

# Similarity
SIMILARITY_CHOICE = "similarity-choice"
SIMILARITY_GRAPH = "similarity-graph"
SIMILARITY_SUMMARY = "similarity-summary"


def url_state_id(page: str) -> dict:
    """Id of the page's URL-state store (``page`` is the page path, e.g. ``/scaling``)."""
    return {"type": URL_STATE, "page": page}


def panel_key(page: str, name: str) -> str:
    """The key that ties a plot panel's graph, fit store, export menu and download together."""
    return f"{page}#{name}"


def graph_id(page: str, name: str = "main") -> dict:
    """Id of the ``dcc.Graph`` of the plot panel ``name`` on ``page``."""
    return {"type": GRAPH, "panel": panel_key(page, name)}


def fit_params_id(page: str, name: str = "main") -> dict:
    """Id of the fit-parameter store of the plot panel ``name`` on ``page``."""
    return {"type": FIT_PARAMS, "panel": panel_key(page, name)}


def export_id(page: str, name: str, fmt: str) -> dict:
    """Id of the export button ``fmt`` (one of ``EXPORT_FORMATS``) of a plot panel."""
    return {"type": EXPORT, "panel": panel_key(page, name), "format": fmt}


def export_download_id(page: str, name: str = "main") -> dict:
    """Id of the ``dcc.Download`` of a plot panel."""
    return {"type": EXPORT_DOWNLOAD, "panel": panel_key(page, name)}


def export_sink_id(page: str, name: str = "main") -> dict:
    """Id of the hidden output of a plot panel's client-side image export."""
    return {"type": EXPORT_SINK, "panel": panel_key(page, name)}


def upload_undo_id(upload_id: int) -> dict:
    """Id of the undo button of one upload in the uploads list."""
    return {"type": UPLOAD_UNDO, "upload": upload_id}


def jobs_action_id(job_id: int, action: str) -> dict:
    """Id of a job's button in the jobs table (``action``: show, cancel or retry)."""
    return {"type": JOBS_ACTION, "job": job_id, "action": action}


def procedure_id(page: str) -> dict:
    """Id of the box that says whether ``page`` shows its data's published procedure."""
    return {"type": PROCEDURE, "page": page}
