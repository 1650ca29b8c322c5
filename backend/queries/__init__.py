"""Every read that the API and the UI need, one module per domain (DataFrames for plots).

The API route and the Dash callback that show the same thing call the same function here."""
