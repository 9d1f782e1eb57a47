#!/usr/bin/env python3
"""validate_json.py SCHEMA FILE [SCHEMA FILE ...]: validate each JSON file
against its JSON Schema (draft 2020-12); print every error, exit 1 if any.
Needs the jsonschema module (Debian: python3-jsonschema)."""
import json
import sys

try:
    import jsonschema
except ImportError:
    sys.exit("validate_json.py: python3 cannot import jsonschema: install "
             "python3-jsonschema (.ci/run must install it too)")


def main(args):
    if not args or len(args) % 2:
        sys.exit(__doc__)
    errors = 0
    schemas = {}
    for schema_path, path in zip(args[0::2], args[1::2]):
        if schema_path not in schemas:
            with open(schema_path) as f:
                schema = json.load(f)
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            schemas[schema_path] = cls(schema)
        with open(path) as f:
            doc = json.load(f)
        for e in sorted(schemas[schema_path].iter_errors(doc), key=lambda e: list(e.path)):
            where = "/".join(str(p) for p in e.absolute_path) or "(top)"
            msg = e.message if len(e.message) < 300 else e.message[:300] + "..."
            print(f"{path}: {where}: {msg} (schema {schema_path})")
            errors += 1
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
