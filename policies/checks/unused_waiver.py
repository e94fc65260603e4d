"""DKD905: waivers that waive nothing. Judged after every other policy, over the whole scan
(linter/change/waivers.py); a host alone has nothing to say."""


def check(host, context):
    return ()
