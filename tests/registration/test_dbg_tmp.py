import time
def test_dbg(client, make_meeting):
    meeting = make_meeting()
    client.get(f"/m/{meeting.slug}/register")
    t=time.perf_counter()
    for _ in range(20): client.get(f"/m/{meeting.slug}/register")
    print("GET ms", (time.perf_counter()-t)/20*1000)
    assert 0
