"""Evaluation pictures: stance confusion matrix, per-label F1 and the stance learning curve.

matplotlib is imported inside the functions, not at module level, so that `qawl predict` (whose
CLI module imports this one) does not pay its start-up cost. Figures are drawn on matplotlib's
Agg canvas directly, never through pyplot, so no global backend or figure state is touched.
"""

from __future__ import annotations

from pathlib import Path

from predict.html import STANCE_COLOURS, UNKNOWN_COLOUR, tint
from predict.records import atomic_write

CONFUSION = "confusion.png"
LABEL_F1 = "label_f1.png"
LEARNING_CURVE = "learning_curve.png"
DPI = 110


def write_evaluation_plots(report: dict, curve: dict, folder: str | Path, title: str = "") -> list[Path]:
    """Draw the three pictures of an evaluation report into `folder`; return their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    drawn = [(CONFUSION, confusion_figure(report["stance"], title)),
             (LABEL_F1, label_f1_figure(report, title)),
             (LEARNING_CURVE, learning_curve_figure(curve))]
    paths = []
    for name, figure in drawn:
        with atomic_write(folder / name, "wb") as handle:
            figure.savefig(handle, format="png", dpi=DPI)
        paths.append(folder / name)
    return paths


def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def confusion_figure(stance: dict, title: str = ""):
    """Gold label by predicted label over the matched quotes; shade is the share of the gold row."""
    labels = list(stance["confusion"])
    counts = [[stance["confusion"][gold][predicted] for predicted in labels] for gold in labels]
    shares = [[c / (sum(row) or 1) for c in row] for row in counts]
    figure = _figure(9, 8)
    axes = figure.subplots()
    image = axes.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    for i, row in enumerate(counts):
        for j, value in enumerate(row):
            if value:
                axes.text(j, i, str(value), ha="center", va="center", fontsize=8,
                          color="white" if shares[i][j] > 0.6 else "black")
    axes.set_xticks(range(len(labels)), labels, rotation=45, ha="right", fontsize=8)
    axes.set_yticks(range(len(labels)), [f"{l} ({sum(r)})" for l, r in zip(labels, counts)], fontsize=8)
    axes.set_xlabel("predicted stance")
    axes.set_ylabel("gold stance (matched quotes)")
    axes.set_title(f"Stance confusion on matched quotes — accuracy {stance['accuracy']:.3f}, "
                   f"n {stance['n']}\n{title}", fontsize=10)
    figure.colorbar(image, ax=axes, shrink=0.7, label="share of the gold label's quotes")
    return figure


def label_f1_figure(report: dict, title: str = ""):
    """Per-label F1 end to end (matched quotes) beside F1 on the gold quotes, with macro-F1 lines."""
    end_to_end, given = report["stance"], report["stance_on_gold_quotes"]
    labels = list(given["per_label"])
    figure = _figure(9, 7)
    axes = figure.subplots()
    rows = range(len(labels))
    colours = [STANCE_COLOURS.get(label, UNKNOWN_COLOUR) for label in labels]
    axes.barh([r - 0.2 for r in rows], [end_to_end["per_label"][l]["f1"] for l in labels], height=0.4,
              color=colours, label="end to end (matched quotes)")
    axes.barh([r + 0.2 for r in rows], [given["per_label"][l]["f1"] for l in labels], height=0.4,
              color=[tint(c, 0.55) for c in colours], edgecolor=colours, hatch="//",
              label="on the gold quotes")
    axes.axvline(end_to_end["macro_f1"], color="black", linestyle="--", linewidth=1,
                 label=f"macro-F1 end to end {end_to_end['macro_f1']:.3f}")
    axes.axvline(given["macro_f1"], color="grey", linestyle=":", linewidth=1.5,
                 label=f"macro-F1 on gold quotes {given['macro_f1']:.3f}")
    axes.set_yticks(list(rows), [f"{l} (n={given['per_label'][l]['support']})" for l in labels], fontsize=8)
    axes.invert_yaxis()
    axes.set_xlim(0, 1)
    axes.set_xlabel("F1")
    axes.set_title(f"Stance F1 per label\n{title}", fontsize=10)
    axes.legend(loc="lower right", fontsize=8)
    return figure


def learning_curve_figure(curve: dict):
    """Stance macro-F1 (and accuracy) against the number of training articles."""
    points = curve["points"]
    sizes = [p["train_articles"] for p in points]
    figure = _figure(8, 5.5)
    axes = figure.subplots()
    axes.plot(sizes, [p["macro_f1"] for p in points], marker="o", color="#1f77b4", label="macro-F1")
    axes.plot(sizes, [p["accuracy"] for p in points], marker="s", linestyle="--", color="#7f7f7f",
              label="accuracy")
    for point in points:
        axes.annotate(f"{point['fraction']:.0%}: {point['macro_f1']:.3f}", (point["train_articles"], point["macro_f1"]),
                      textcoords="offset points", xytext=(0, -16), ha="center", fontsize=8)
    axes.set_ylim(0, 1)
    axes.set_xlabel("training articles (mean per fit)")
    axes.set_ylabel("stance score on held-out gold quotes")
    axes.set_title(f"Stance learning curve: the stance model fitted on shares of {curve['articles']} "
                   f"articles,\nscored on the held-out gold quotes of {curve['heldout']}", fontsize=10)
    axes.grid(alpha=0.3)
    axes.legend(loc="lower right", fontsize=8)
    return figure
