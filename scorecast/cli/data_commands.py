"""``scorecast datasets ...`` and ``scorecast show``: what is in a score table."""

from .. import datasets
from ..summary import format_summary, summarize
from ._options import add_json_argument, add_table_arguments, print_json, read_table


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
        description="Read a score file (and factor files) as the other commands would, and "
                    "print what it holds: models, tasks, observed cells and density, the score "
                    "range of each task, factor coverage, and any problems found.")
    add_table_arguments(show_file)
    add_json_argument(show_file)
    show_file.set_defaults(func=run_show_file)


def run_list(args):
    records = [{"name": d.name, "cached": datasets.is_cached(d.name),
                "description": d.description} for d in datasets.list_datasets()]
    if args.json:
        print_json(records)
        return 0
    width = max(len(r["name"]) for r in records)
    for r in records:
        state = "cached    " if r["cached"] else "not cached"
        print(f"{r['name']:<{width}}  {state}  {r['description']}")
    print(f"data directory: {datasets.data_dir()}")
    return 0


def run_fetch(args):
    names = [d.name for d in datasets.list_datasets()] if args.name == "all" else [args.name]
    for name in names:
        for filename, path in datasets.fetch(name).items():
            print(f"{name}: {filename} -> {path} (sha256 checked)")
    return 0


def _print_summary(table, as_json):
    summary = summarize(table)
    if as_json:
        print_json(summary)
    else:
        print(format_summary(summary))
    return 0


def run_show_dataset(args):
    return _print_summary(datasets.load(args.name), args.json)


def run_show_file(args):
    return _print_summary(read_table(args), args.json)
