"""The built-in lint rules, one module per family; `registry` collects them."""
