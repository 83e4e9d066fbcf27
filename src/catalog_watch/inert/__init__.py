"""Where catalog text leaves the process, and the one function per sink that makes it inert there.

The catalog is written by outside contributors; its strings reach a terminal, the GitHub Actions
command channel, markdown that GitHub renders, Slack mrkdwn, HTML, XML and the CSV a spreadsheet
opens. Each sink has one module here, and every writer goes through it:

* :mod:`.terminal`: C0/C1 controls and bidi overrides shown escaped (``\\u001b``);
* :mod:`.actions_log`: stdout under ``::stop-commands::`` while it carries catalog text, the tool's
  own workflow commands outside it, stderr lines defused;
* :mod:`.markdown`: mentions, issue references, HTML, links, backticks, pipes and line breaks;
* :mod:`.xml`: the characters XML 1.0 forbids, then HTML escaping;
* :mod:`.slack`: Slack's three control characters;
* :mod:`.spreadsheet`: a CSV cell that a spreadsheet would evaluate as a formula.
"""
