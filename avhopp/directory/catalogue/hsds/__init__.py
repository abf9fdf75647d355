"""The directory in Open Referral's Human Services Data Specification (HSDS) 3.1.

`mapping` turns directory entries into HSDS JSON objects and back without loss, `taxonomy`
publishes our vocabularies as HSDS taxonomies, `package` writes and reads HSDS tabular data
packages, and `validation` checks HSDS JSON against the vendored schemas in `standard/`, offline.
"""
