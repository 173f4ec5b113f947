"""Helpers shared by the oracle scripts (developer-side only; Doppel never imports Python)."""
import json
import warnings

TABLE = "table"


def quiet():
    """Silence the FutureWarnings/UserWarnings SDV, SDMetrics and pandas print on every call."""
    warnings.filterwarnings("ignore")
    import logging
    for name in ("sdv", "sdmetrics", "rdt", "copulas", "anonymeter", "SingleTableSynthesizer"):
        logging.getLogger(name).setLevel(logging.ERROR)


def detect_metadata(df, table_name=TABLE):
    """SDV metadata auto-detected from a dataframe, as an sdv.metadata.Metadata object.

    SDV < 2 had Metadata.detect_from_dataframe(df); SDV 2.x only has the plural
    detect_from_dataframes({name: df}). Both run the same per-table detector.
    """
    from sdv.metadata import Metadata
    if hasattr(Metadata, "detect_from_dataframe"):
        return Metadata.detect_from_dataframe(df, table_name=table_name)
    return Metadata.detect_from_dataframes({table_name: df})


def load_metadata(path, table_name=TABLE):
    """Load an SDV metadata JSON file (single-table V1 dict or multi-table V2 dict)."""
    from sdv.metadata import Metadata
    with open(path) as f:
        d = json.load(f)
    if "tables" not in d:  # legacy single-table dict -> wrap it
        d = {"tables": {table_name: d}, "relationships": [], "METADATA_SPEC_VERSION": "V2"}
    return Metadata.load_from_dict(d)


def single_table_dict(metadata):
    """The single-table metadata dict ({'columns': ..., 'primary_key': ...}) SDMetrics expects."""
    d = metadata.to_dict()
    tables = d.get("tables", {TABLE: d})
    return next(iter(tables.values()))


def sdtypes(table_dict):
    """{column: sdtype} from a single-table metadata dict."""
    return {c: m["sdtype"] for c, m in table_dict["columns"].items()}


def peak_rss_mb():
    """Peak resident set size of this process so far, in MiB (Linux ru_maxrss is in KiB)."""
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
