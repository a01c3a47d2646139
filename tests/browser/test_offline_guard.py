"""The browser fixture refuses and records every request that would leave the machine, so each
page a browser test opens is checked for outside loads. Here it must catch one."""


def test_an_outside_request_is_refused_and_recorded(browser):
    page = browser.new_page()
    page.set_content('<img src="http://cdn.example.invalid/logo.png"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">')
    page.wait_for_timeout(300)
    assert browser.outside == ["http://cdn.example.invalid/logo.png"]
    browser.outside.clear()  # seen: the fixture's own check after the test must pass
    page.close()
