"""Pure domain code: no Django import (checked by import-linter)."""
