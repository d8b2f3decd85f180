"""``scorecast datasets ...`` and ``scorecast show``: what is in a score table."""

from .. import datasets
from ..summary import format_summary, summarize
from ._options import add_json_argument, add_table_arguments, print_json, read_table

_LISTED_FILES = 10  # fetch names each file of a dataset up to this many


def add_commands(commands):
    """Register the data commands on the top-level sub-parsers."""
    group = commands.add_parser(
        "datasets", help="list, download and summarise the published datasets",
        description="The published datasets: list them, download them into the data "
                    "directory ($SCORECAST_DATA, else a per-user cache), summarise them.")
    sub = group.add_subparsers(dest="datasets_command", metavar="ACTION", required=True,
                               parser_class=type(group))
    listing = sub.add_parser("list", help="name, download state and description of each dataset",
                             description="List the published datasets.")
    add_json_argument(listing)
    listing.set_defaults(func=run_list)

    fetch = sub.add_parser("fetch", help="download a dataset's files and check their sha256",
                           description="Download the files of a dataset (or 'all') into the "
                                       "data directory and check their sha256.")
    fetch.add_argument("name", metavar="NAME", help="dataset name, or 'all'")
    fetch.set_defaults(func=run_fetch)

    show = sub.add_parser("show", help="summarise a dataset",
                          description="Print the summary of a published dataset: models, "
                                      "tasks, observed cells, score ranges, factor coverage "
                                      "and problems found.")
    show.add_argument("name", metavar="NAME", help="dataset name")
    add_json_argument(show)
    show.set_defaults(func=run_show_dataset)

    show_file = commands.add_parser(
        "show", help="summarise a score file",
        description="Read a score file (and factor files) or a published dataset as the other "
                    "commands would, and print what it holds: models, tasks, observed cells and "
                    "density, the score range of each task, factor coverage, and any problems "
                    "found.")
    add_table_arguments(show_file, dataset=True)
    add_json_argument(show_file)
    show_file.set_defaults(func=run_show_file)


def _credit(record):
    return {"credit": record.credit, "license": record.license, "changes": record.changes}


def run_list(args):
    records = [{"name": d.name, "cached": datasets.is_cached(d.name),
                "description": d.description, **_credit(d)} for d in datasets.list_datasets()]
    if args.json:
        print_json(records)
        return 0
    width = max(len(r["name"]) for r in records)
    for r in records:
        state = "cached    " if r["cached"] else "not cached"
        print(f"{r['name']:<{width}}  {state}  {r['description']}")
        print(f"{'':<{width + 14}}credit: {r['credit']}; license: {r['license']}")
    print(f"data directory: {datasets.data_dir()}")
    return 0


def run_fetch(args):
    names = [d.name for d in datasets.list_datasets()] if args.name == "all" else [args.name]
    for name in names:
        paths = datasets.fetch(name)
        if len(paths) > _LISTED_FILES:
            folder = datasets.data_dir() / datasets.describe(name).folder
            print(f"{name}: {len(paths)} files in {folder} (sha256 checked)")
            continue
        for filename, path in paths.items():
            print(f"{name}: {filename} -> {path} (sha256 checked)")
    return 0


def _print_summary(table, as_json, source=None):
    summary = summarize(table)
    if as_json:
        print_json({**summary, **(source or {})})
        return 0
    print(format_summary(summary))
    if source:
        print("")
        for key, text in source.items():
            print(f"{key}: {text}")
    return 0


def run_show_dataset(args):
    table = datasets.load(args.name)
    return _print_summary(table, args.json, _credit(datasets.describe(args.name)))


def run_show_file(args):
    source = _credit(datasets.describe(args.dataset)) if args.dataset else None
    return _print_summary(read_table(args), args.json, source)
