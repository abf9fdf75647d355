from sqlalchemy import text
async def test_smoke(sessions, owner_engine):
    with owner_engine.connect() as c:
        print(c.execute(text("select count(*) from tenant")).scalar())
    async with sessions() as s:
        print((await s.execute(text("select count(*), current_user from municipality"))).one())
