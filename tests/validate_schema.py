#!/usr/bin/python3
"""Validates results documents against results/schema.json.

Usage: validate_schema.py SCHEMA DOCUMENT...
Exit 0 when every document is valid; 1 with the first error of each invalid
one on stdout; 2 when a file cannot be read.
"""
import json
import sys

import jsonschema


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        with open(argv[1]) as schema_file:
            schema = json.load(schema_file)
        validator = jsonschema.Draft202012Validator(schema)
        validator.check_schema(schema)
    except (OSError, ValueError, jsonschema.SchemaError) as error:
        print(f"{argv[1]}: {error}", file=sys.stderr)
        return 2
    failed = False
    for path in argv[2:]:
        try:
            with open(path) as document_file:
                document = json.load(document_file)
        except (OSError, ValueError) as error:
            print(f"{path}: {error}", file=sys.stderr)
            return 2
        error = jsonschema.exceptions.best_match(validator.iter_errors(document))
        if error is not None:
            where = "/".join(str(part) for part in error.absolute_path) or "(document)"
            print(f"{path}: {where}: {error.message}")
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
