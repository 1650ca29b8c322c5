"""Dash pages, one module per page (``dash.register_page``); discovered by ``app.dash_app``."""
