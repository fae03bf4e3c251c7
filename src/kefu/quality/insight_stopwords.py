"""Words that say nothing about what a customer calls about (QA-3 topic mining): pronouns,
particles, greetings, fillers and the small talk of every service conversation. Written for
kefu; one word per line so it is easy to extend."""

from __future__ import annotations

_WORDS = """
的 了 吗 呢 吧 啊 呀 哦 嗯 哈 嘛 啦 喔 哟 唉 诶 哎 噢 呃 额
我 你 您 他 她 它 我们 你们 您们 他们 她们 它们 咱 咱们 自己 大家 人家 别人
这 那 这个 那个 这些 那些 这样 那样 这么 那么 这边 那边 这里 那里 哪里 哪儿 哪个 哪些
什么 怎么 怎么样 怎样 为什么 为何 多少 几 谁 啥 咋
是 不是 有 没有 没 在 不 也 就 都 还 又 再 才 很 太 更 最 挺 比较 非常 特别 真的 真是
和 跟 与 及 或 或者 而且 但是 但 可是 不过 然后 所以 因为 如果 虽然 还是 就是 只是 而是 然后呢
一个 一下 一些 一点 一点儿 一直 一样 一起 一定 一次 一天 两个 几个 个
的话 这种 那种 之前 之后 以后 以前 现在 刚才 刚刚 已经 正在 马上 到底 其实 反正 总是
可以 能 能不能 可不可以 会 会不会 要 想 需要 应该 得 可能 必须
说 讲 问 问一下 看 看看 看一下 知道 觉得 感觉 认为 告诉 听 听到 明白 清楚 了解
好 好的 好吧 行 行吧 对 对的 是的 嗯嗯 对对 没事 没问题 可以的 不用 不要 不行
你好 您好 喂 谢谢 谢谢你 谢谢您 感谢 麻烦 麻烦你 麻烦您 不好意思 请问 请 再见 拜拜 辛苦
客服 人工 小姐 先生 女士 师傅 美女 亲 那个啥 就是说 然后就 其他 别的 东西 事情 问题 情况
今天 明天 昨天 前天 后天 上午 下午 晚上 早上 中午 时候 时间 天 号 月 年
呢个 么 之 以 被 把 让 给 对于 关于 从 向 往 到 为 为了 由 由于 按照 根据 通过
帮 帮我 帮忙 帮我查 查 查一下 处理 处理一下 解决 办 弄 搞
""".split()  # noqa: SIM905  (one word list is easier to extend than a literal)

STOPWORDS: frozenset[str] = frozenset(_WORDS)
