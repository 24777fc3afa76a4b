# Developer tasks. The README's two commands are `bash scripts/setup.sh demo` and `... test`.
.PHONY: demo test install lint bench-load bench-pdnc bench-render clean

demo:
	bash scripts/setup.sh demo

test:
	bash scripts/setup.sh test

install:
	bash scripts/setup.sh install

lint:
	.venv/bin/python -m pip install -q ruff && .venv/bin/ruff check src tests benchmarks

bench-load:
	.venv/bin/python benchmarks/bench_load.py

bench-pdnc:
	.venv/bin/python benchmarks/pdnc.py

bench-render:
	.venv/bin/python benchmarks/bench_render.py

clean:
	rm -rf out .pytest_cache build dist src/*.egg-info
