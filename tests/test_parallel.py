"""Prediction with joblib workers and on a Dask cluster gives the single-process output, byte for byte;
training in two processes gives the single-process models."""

import json

import pytest
from click.testing import CliRunner

from qawl import main
from tests.conftest import corpus_files


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """About 200 articles (four batches) as one JSON Lines file."""
    path = tmp_path_factory.mktemp("archive") / "archive.jsonl"
    named = corpus_files(*(f"{beat}-{number:02d}" for beat in ("afr", "int") for number in range(1, 14)))
    lines = [line for corpus_file in named for line in corpus_file.read_text("utf-8").splitlines()]
    path.write_text("\n".join(json.dumps({"id": json.loads(l)["id"], "text": json.loads(l)["text"]},
                                         ensure_ascii=False) for l in lines[:200]) + "\n", "utf-8")
    return path


def predict(bundle, archive, output, *options):
    result = CliRunner().invoke(main, ["predict", "--model", str(bundle), str(archive), "--output", str(output),
                                       *options])
    assert result.exit_code == 0, result.output
    return output.read_bytes()


@pytest.fixture(scope="module")
def single(small_bundle, archive, tmp_path_factory):
    return predict(small_bundle, archive, tmp_path_factory.mktemp("out") / "single.jsonl")


def test_jobs_give_the_same_bytes_in_the_same_order(small_bundle, archive, single, tmp_path):
    assert predict(small_bundle, archive, tmp_path / "jobs.jsonl", "--jobs", "2") == single
    assert len(single.splitlines()) == 200


def test_jobs_give_the_same_rows_when_workers_send_quotes_back(small_bundle, archive, tmp_path):
    # csv output is written from Article objects, so the workers return quotes, not encoded lines
    single_rows = predict(small_bundle, archive, tmp_path / "single.csv", "--format", "csv")
    assert predict(small_bundle, archive, tmp_path / "jobs.csv", "--format", "csv", "--jobs", "2") == single_rows
    assert len(single_rows.splitlines()) > 200


@pytest.mark.parametrize("workers, threads", [(2, 1), (1, 2)])
def test_dask_cluster_gives_the_same_bytes(small_bundle, archive, single, tmp_path, workers, threads):
    # a worker's threads share one copy of the model, as `dask worker` runs them by default
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=workers, threads_per_worker=threads, host="127.0.0.1",
                                  dashboard_address=None, processes=True) as cluster:
        output = predict(small_bundle, archive, tmp_path / "dask.jsonl", "--dask-scheduler",
                         cluster.scheduler_address)
    assert output == single


def test_unreachable_scheduler_is_one_line_error(small_bundle, archive, tmp_path):
    result = CliRunner().invoke(main, ["predict", "--model", str(small_bundle), str(archive),
                                       "--dask-scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 1
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.output
    assert "Traceback" not in result.output


def test_cycle_collector_is_paused_for_a_batch_and_restored_after():
    import gc

    from predict.pipeline import cycle_collection_paused

    assert gc.isenabled()
    with cycle_collection_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), cycle_collection_paused():
        raise RuntimeError("a failing batch must not leave the collector off")
    assert gc.isenabled()
    gc.disable()
    try:
        with cycle_collection_paused():
            pass
        assert not gc.isenabled()  # a caller that turned it off keeps it off
    finally:
        gc.enable()


def test_training_in_two_processes_fits_the_same_models(small_corpus, small_models):
    from train.fit import fit_models

    models = fit_models(small_corpus, jobs=2)
    for stage in ("quote_filter", "speaker_ranker", "stance"):
        fitted, expected = getattr(models, stage), getattr(small_models, stage)
        assert [b.vocabulary for b in fitted.branches] == [b.vocabulary for b in expected.branches]
        assert (fitted.coef == expected.coef).all() and (fitted.intercept == expected.intercept).all(), stage
