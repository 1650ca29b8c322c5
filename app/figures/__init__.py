"""Figure builders: pure functions from data frames and fit results to plotly figures."""
