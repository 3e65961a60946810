"""A throwaway study notebook for the pipeline's own tests: the parameters cell every study has
(``params = {}``, which papermill fills), then the body under test."""
import nbformat

PARAMETERS = "params = {}"


def write_notebook(path, body: str) -> None:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(PARAMETERS)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(body)]
    nb.metadata["kernelspec"] = {"name": "smallimg", "display_name": "smallimg", "language": "python"}
    nbformat.write(nb, str(path))
