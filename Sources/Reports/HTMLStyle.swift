/// The page's stylesheet, inline: system fonts only, nothing fetched. Fates have one colour each everywhere
/// (kernel blue, socket green, lost near-black, both violet); a packet in the wrong place is red.
enum HTMLStyle {
    static let css = """
        :root { --kernel: #2563eb; --kernel-bg: #dbeafe; --xsk: #15803d; --xsk-bg: #dcfce7; --lost: #27272a;
          --both: #7c3aed; --both-bg: #ede9fe; --wrong: #dc2626; --wrong-bg: #fef2f2; --muted: #6b7280;
          --line: #e5e7eb; --pass: #15803d; --fail: #b91c1c; --error: #b45309; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
          color: #111827; background: #f9fafb; }
        pre, code, .command, .log { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
        header.verdict { display: flex; gap: 20px; align-items: center; padding: 20px 28px; color: #fff; }
        header.pass { background: var(--pass); } header.fail { background: var(--fail); } header.error { background: var(--error); }
        .badge { font-size: 28px; font-weight: 800; letter-spacing: .06em; border: 3px solid #fff; border-radius: 8px;
          padding: 4px 14px; }
        h1 { margin: 0; font-size: 24px; word-break: break-all; }
        .facts { margin: 2px 0 8px; opacity: .9; } .facts .path { font-family: ui-monospace, monospace; font-size: 12px; }
        .chips { margin: 0; display: flex; flex-wrap: wrap; gap: 6px; }
        .chip { background: rgba(255,255,255,.16); border: 1px solid rgba(255,255,255,.5); border-radius: 999px;
          padding: 2px 10px; font-size: 13px; }
        .chip.bad { background: #fff; color: var(--fail); font-weight: 600; }
        section { background: #fff; margin: 16px 24px; padding: 14px 20px 18px; border: 1px solid var(--line); border-radius: 10px; }
        h2 { margin: 0 0 10px; font-size: 17px; }
        table { border-collapse: collapse; }
        table.checks { width: 100%; }
        table.checks th { text-align: left; color: var(--muted); font-weight: 600; border-bottom: 1px solid var(--line); padding: 4px 8px; }
        table.checks td { vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--line); }
        table.checks .mark { font-size: 18px; font-weight: 700; width: 28px; text-align: center; }
        table.checks tr.pass .mark { color: var(--pass); } table.checks tr.fail .mark { color: var(--fail); }
        table.checks tr.fail { background: var(--wrong-bg); }
        table.checks .name { font-weight: 600; white-space: nowrap; }
        table.checks .observed { white-space: nowrap; }
        details summary { cursor: pointer; color: var(--muted); }
        details pre, pre.error, pre.log, pre.command { white-space: pre-wrap; word-break: break-word; background: #f3f4f6;
          padding: 8px 10px; border-radius: 6px; margin: 6px 0; }
        pre.error { background: #fff7ed; color: #7c2d12; }
        .grid-scroll { overflow-x: auto; }
        table.grid { margin: 6px 0; }
        table.grid th { font-weight: 600; padding: 6px 8px; text-align: left; white-space: nowrap; }
        table.grid th small { display: block; font-weight: 400; color: var(--muted); font-size: 11.5px; }
        table.grid th.queue { text-align: center; min-width: 136px; border-bottom: 3px solid var(--line); }
        table.grid th.queue.has-socket { border-bottom-color: var(--xsk); }
        table.grid th.wrong, table.grid th.wrong small { color: var(--wrong); }
        table.grid th.wrong::after { content: " ✗"; }
        table.grid th.class { border-right: 1px solid var(--line); }
        td.cell { position: relative; width: 136px; height: 62px; padding: 5px 7px; border: 2px solid #fff;
          border-radius: 8px; vertical-align: top; }
        td.cell .n { font-size: 18px; font-weight: 700; display: block; line-height: 1.1; }
        td.cell .label { font-size: 11.5px; display: block; }
        td.cell .bar { display: flex; height: 5px; margin-top: 4px; border-radius: 3px; overflow: hidden; background: var(--line); }
        td.cell .bar i { display: block; height: 100%; }
        .bar .f-kernel, .swatch.f-kernel { background: var(--kernel); } .bar .f-xsk, .swatch.f-xsk { background: var(--xsk); }
        .bar .f-lost, .swatch.f-lost { background: var(--lost); } .bar .f-both, .swatch.f-both { background: var(--both); }
        td.f-kernel { background: var(--kernel-bg); color: #1e3a8a; } td.f-xsk { background: var(--xsk-bg); color: #14532d; }
        td.f-lost { background: var(--lost); color: #fff; } td.f-both { background: var(--both-bg); color: #4c1d95; }
        td.f-mixed { background: #f4f4f5; }
        td.none { background: transparent; color: #d1d5db; text-align: center; vertical-align: middle; }
        td.cell.wrong { border: 3px solid var(--wrong); box-shadow: 0 0 0 2px #fecaca; }
        td.cell.wrong .flag { display: block; margin-top: 4px; font-size: 11px; font-weight: 700; color: #fff;
          background: var(--wrong); border-radius: 4px; padding: 1px 4px; }
        .legend { color: var(--muted); font-size: 12.5px; display: flex; flex-wrap: wrap; gap: 4px 14px; align-items: center; }
        .swatch { display: inline-block; width: 14px; height: 14px; border-radius: 3px; vertical-align: -2px; margin-right: 4px; }
        .swatch.wrong { border: 3px solid var(--wrong); background: #fff; }
        .lead { margin: 0 0 10px; } .lead.good { color: var(--pass); }
        ul.lead.bad { color: var(--fail); padding-left: 20px; }
        ol.diagnosis li { margin-bottom: 6px; }
        ul.lines li { margin-bottom: 3px; }
        svg.timeline { font: 12px system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
        svg .gridline { stroke: var(--line); } svg .axis { fill: var(--muted); font-size: 11px; }
        svg .label { font-weight: 700; fill: var(--pass); } svg .broken .label { fill: var(--fail); }
        svg .sub { fill: var(--muted); font-size: 11px; }
        svg .span { stroke: #9ca3af; stroke-width: 2; }
        svg .answer { stroke: var(--xsk); stroke-width: 1.5; }
        svg .stall { fill: #fecaca; stroke: var(--wrong); stroke-width: 1.5; }
        svg .stall-label { fill: #7f1d1d; font-size: 11px; font-weight: 700; }
        svg .stalled { fill: var(--wrong); }
        svg .failure { fill: var(--fail); font-size: 11px; }
        figure.ring img { max-width: 100%; border: 1px solid var(--line); border-radius: 6px; }
        .bad { color: var(--fail); font-weight: 600; }
        ul.files { padding-left: 20px; } ul.files .what { color: var(--muted); margin-left: 6px; }
        .missing { color: var(--muted); }
        a { color: #1d4ed8; }
        """
}
