"""The Flask portal and the command line: the outermost layer, composing engine and workflows."""
