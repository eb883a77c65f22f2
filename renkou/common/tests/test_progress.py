import io

from renkou.common.progress import ProgressBar


def test_progress_bar_on_a_pipe_prints_each_tenth_once():
    out = io.StringIO()
    bar = ProgressBar(200, label="导入", stream=out)
    for _ in range(200):
        bar.advance()
    bar.finish()
    lines = out.getvalue().splitlines()
    percents = [line.split("]")[1].split("%")[0].strip() for line in lines]
    assert percents == [str(p) for p in range(0, 101, 10)]
    assert lines[-1].startswith("导入 [" + "#" * 30 + "]")
    assert "200/200" in lines[-1]


def test_empty_job_is_complete():
    out = io.StringIO()
    bar = ProgressBar(0, stream=out)
    bar.finish()
    assert "100%" in out.getvalue()
