"""``polycorpus report``: a run's statistics as one self-contained HTML page, a Markdown
summary, and a side-by-side comparison of two runs.

    rundata.load_run(url) -> RunData     what is committed, partial or not
    build.build_report(data) -> Report   sections: funnel.py, stages.py, tokens.py
    compare.compare_runs(a, b) -> Report
    html.render_html, markdown.render_markdown   (svg.py draws the charts)
    output.write_run_report(url)         what `polycorpus run` calls at the end of a run
"""
