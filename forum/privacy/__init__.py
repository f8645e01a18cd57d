"""Privacy duties towards one person: export everything the app holds about them (a subject
access request) and erase them while what they wrote, the shield and the fix histories stay.

It reads and changes rows of every domain, so it stands above them all (just below the
command line and the factory); its pages sit under the admin's user pages.
"""
