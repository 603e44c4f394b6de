"""mirbook: quarterly evaluation workbook of the MIR of the Unidad de Política Migratoria.

The package is kept light on import: nothing here imports pandas, Jupyter or
Great Expectations, so that ``mirbook indicadores`` starts fast.
"""

__version__ = "0.1.0"
