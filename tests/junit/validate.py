"""Validates a JUnit XML file against tests/junit/junit.xsd with xmlschema
and prints what it holds as JSON: the suites' counts, and every test case
with its failures. Exit 1 (the reason on stderr) when it is not valid.
Usage: python validate.py FILE.xml"""
import json
import os
import sys
import xml.etree.ElementTree as ET

import xmlschema

schema = xmlschema.XMLSchema(os.path.join(os.path.dirname(os.path.abspath(__file__)), "junit.xsd"))
path = sys.argv[1]
try:
    schema.validate(path)
except xmlschema.XMLSchemaException as e:
    print(f"not valid JUnit XML: {e}", file=sys.stderr)
    sys.exit(1)
root = ET.parse(path).getroot()
suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
out = {"root": root.tag, "root_attrib": dict(root.attrib), "suites": []}
for suite in suites:
    cases = []
    for case in suite.findall("testcase"):
        cases.append({
            "name": case.get("name"),
            "classname": case.get("classname"),
            "failures": [{"type": f.get("type"), "message": f.get("message"), "text": f.text or ""} for f in case.findall("failure")],
            "system_out": "".join(s.text or "" for s in case.findall("system-out")),
        })
    out["suites"].append({"attrib": dict(suite.attrib), "cases": cases})
print(json.dumps(out))
