"""View pipelines of the explorer pages: view state -> queries -> analyses -> figure + table.

Each module holds one page's state class (what its URL encodes) and one ``build_*_view``
function that the page's callback calls; callbacks stay a few lines of wiring.
"""
