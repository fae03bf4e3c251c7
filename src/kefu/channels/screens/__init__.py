"""Staff screens over every channel's contacts (TEC-7, TEC-8): the unified inbox, the contact
page and the live wallboard with the answer figures of ACC-1 and PRF-1.

They read the shared contact model only (Contact, ContactMessage, ContactSegment,
ContactRecording, ContactEvent, AgentPresence, ChatSession), so a new channel shows up here
without changes.
"""
