"""What people read: a version as markdown, as HTML for Jupyter, the catalogue as DataFrames.

summary     a markdown summary of a version (Prefect artifacts, CLI, notebooks)
html        a version as HTML (``ConnectorVersion._repr_html_``)
frames      pandas DataFrames of the catalogue, one per kind of record (imports pandas)
"""
