<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AboutBox</name>
    <message>
        <source>not installed</source>
        <translation>未安装</translation>
    </message>
    <message>
        <source>An inspector for TensorFlow models: frozen graphs, checkpoints, SavedModels and weights files. Browse ops by name scope, preview weights, export them, compare two models, restore weights into a model, and unfreeze a frozen graph to a trainable checkpoint.</source>
        <translation>TensorFlow 模型查看器：支持冻结图、检查点、SavedModel 和权重文件。可按名称作用域浏览算子、预览和导出权重、比较两个模型、将权重恢复到模型中，以及把冻结图解冻为可训练的检查点。</translation>
    </message>
    <message>
        <source>Versions</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>About pbscope</source>
        <translation>关于 pbscope</translation>
    </message>
</context>
<context>
    <name>DetailsView</name>
    <message>
        <source>tf1-read (a Const read through X/read)</source>
        <translation>tf1-read（通过 X/read 读取的 Const）</translation>
    </message>
    <message>
        <source>tf2-resource (a frozen resource variable)</source>
        <translation>tf2-resource（冻结的资源变量）</translation>
    </message>
    <message>
        <source>folded (a Const read at a weight slot)</source>
        <translation>folded（在权重输入位读取的 Const）</translation>
    </message>
    <message>
        <source>variable (an unfrozen graph&apos;s variable)</source>
        <translation>variable（未冻结图中的变量）</translation>
    </message>
    <message>
        <source>checkpoint (a variable valued from the checkpoint)</source>
        <translation>checkpoint（取值自检查点的变量）</translation>
    </message>
    <message>
        <source>checkpoint (optimizer state)</source>
        <translation>checkpoint（优化器状态）</translation>
    </message>
    <message>
        <source>weights file (a tensor of the file)</source>
        <translation>权重文件（文件中的张量）</translation>
    </message>
    <message>
        <source>const</source>
        <translation>const</translation>
    </message>
    <message>
        <source>structural constant</source>
        <translation>结构常量</translation>
    </message>
    <message>
        <source>… and {n} more</source>
        <translation>……另有 {n} 个</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source> in the graph · {ops} inside {n} function of its library</source>
        <translation> 个在图中 · {ops} 个在其函数库的 {n} 个函数中</translation>
    </message>
    <message>
        <source> in the graph · {ops} inside {n} functions of its library</source>
        <translation> 个在图中 · {ops} 个在其函数库的 {n} 个函数中</translation>
    </message>
    <message>
        <source>+ {n} kept apart: optimizer slots, step counters or variables the saver skips ({size}), shown in italics, not exported by default</source>
        <translation>+ {n} 个单列：优化器槽、步数计数器或保存器跳过的变量（{size}），以斜体显示，默认不导出</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>Ops</source>
        <translation>算子</translation>
    </message>
    <message>
        <source>Weights</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数</translation>
    </message>
    <message>
        <source>Weight bytes</source>
        <translation>权重字节数</translation>
    </message>
    <message>
        <source>Without values</source>
        <translation>无数值</translation>
    </message>
    <message>
        <source>(greyed in the tree: listed, but their values are not in the files opened, so they cannot be previewed or exported)</source>
        <translation>（在树中灰显：已列出，但其数值不在已打开的文件中，因此无法预览或导出）</translation>
    </message>
    <message>
        <source>Inputs</source>
        <translation>输入</translation>
    </message>
    <message>
        <source>Outputs</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>Op types ({n})</source>
        <translation>算子类型（{n}）</translation>
    </message>
    <message>
        <source>Select an op in the tree to see its details; tick weights and press Export (Ctrl+E) to write them to a pickle. &lt;b&gt;Model&lt;/b&gt; above any op leads back here.</source>
        <translation>在树中选择一个算子以查看其详情；勾选权重并按“导出”（Ctrl+E）将其写入 pickle 文件。任一算子上方的&lt;b&gt;模型&lt;/b&gt;链接可返回此页。</translation>
    </message>
    <message>
        <source>key</source>
        <translation>键</translation>
    </message>
    <message>
        <source>dtype</source>
        <translation>dtype</translation>
    </message>
    <message>
        <source>shape</source>
        <translation>形状</translation>
    </message>
    <message>
        <source>tensor</source>
        <translation>张量</translation>
    </message>
    <message>
        <source>Signatures ({n})</source>
        <translation>签名（{n}）</translation>
    </message>
    <message>
        <source>… and {n} more types</source>
        <translation>……另有 {n} 种类型</translation>
    </message>
    <message>
        <source>Ticked</source>
        <translation>已勾选</translation>
    </message>
    <message>
        <source>{n} of {m}</source>
        <translation>{n} / {m}</translation>
    </message>
    <message>
        <source>function</source>
        <translation>函数</translation>
    </message>
    <message>
        <source>scope</source>
        <translation>作用域</translation>
    </message>
    <message>
        <source>{n} ops</source>
        <translation>{n} 个算子</translation>
    </message>
    <message>
        <source>Children ({n})</source>
        <translation>子项（{n}）</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>(any)</source>
        <translation>（任意）</translation>
    </message>
    <message>
        <source>Weight</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>no: a structural constant (a shape, an axis, an epsilon…)</source>
        <translation>否：结构常量（形状、轴、epsilon……）</translation>
    </message>
    <message>
        <source>missing</source>
        <translation>缺失</translation>
    </message>
    <message>
        <source>Inputs ({n})</source>
        <translation>输入（{n}）</translation>
    </message>
    <message>
        <source>Control inputs ({n})</source>
        <translation>控制输入（{n}）</translation>
    </message>
    <message>
        <source>control</source>
        <translation>控制</translation>
    </message>
    <message>
        <source>input {slot}</source>
        <translation>输入 {slot}</translation>
    </message>
    <message>
        <source>Consumers ({n})</source>
        <translation>使用者（{n}）</translation>
    </message>
    <message>
        <source>Consumers</source>
        <translation>使用者</translation>
    </message>
    <message>
        <source>none: this op is an output of the graph</source>
        <translation>无：此算子是图的输出</translation>
    </message>
    <message>
        <source>(error)</source>
        <translation>（错误）</translation>
    </message>
    <message>
        <source>cannot decode attributes: {error}</source>
        <translation>无法解码属性：{error}</translation>
    </message>
    <message>
        <source>Attributes ({n})</source>
        <translation>属性（{n}）</translation>
    </message>
    <message>
        <source>Nested ops ({n})</source>
        <translation>嵌套算子（{n}）</translation>
    </message>
    <message>
        <source> (quantized)</source>
        <translation>（量化）</translation>
    </message>
    <message>
        <source>Shape</source>
        <translation>形状</translation>
    </message>
    <message>
        <source>DType</source>
        <translation>DType</translation>
    </message>
    <message>
        <source>Bytes</source>
        <translation>字节数</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Checkpoint key</source>
        <translation>检查点键</translation>
    </message>
    <message>
        <source> · not trainable</source>
        <translation> · 不可训练</translation>
    </message>
    <message>
        <source>Found by</source>
        <translation>识别规则</translation>
    </message>
    <message>
        <source>yes: not exported by default</source>
        <translation>是：默认不导出</translation>
    </message>
    <message>
        <source>(an optimizer slot, a step counter or a variable the saver skips; tick it to export it)</source>
        <translation>（优化器槽、步数计数器或保存器跳过的变量；勾选后即可导出）</translation>
    </message>
    <message>
        <source>Kept apart</source>
        <translation>单列</translation>
    </message>
    <message>
        <source>none: {error}</source>
        <translation>无：{error}</translation>
    </message>
    <message>
        <source>Values</source>
        <translation>数值</translation>
    </message>
    <message>
        <source>not possible: no values</source>
        <translation>不可导出：无数值</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>ticked</source>
        <translation>已勾选</translation>
    </message>
    <message>
        <source>not ticked</source>
        <translation>未勾选</translation>
    </message>
</context>
<context>
    <name>FilterBar</name>
    <message>
        <source>Text</source>
        <translation>文本</translation>
    </message>
    <message>
        <source>Regex</source>
        <translation>正则</translation>
    </message>
    <message>
        <source>Glob</source>
        <translation>通配</translation>
    </message>
    <message>
        <source>Ops whose name contains the text (case-insensitive)</source>
        <translation>名称包含该文本的算子（不区分大小写）</translation>
    </message>
    <message>
        <source>Ops whose name matches the regular expression (case-insensitive)</source>
        <translation>名称匹配该正则表达式的算子（不区分大小写）</translation>
    </message>
    <message>
        <source>Glob on name parts: &apos;weights&apos;, &apos;Conv2d_1*&apos;, &apos;*/BatchNorm/*&apos;</source>
        <translation>按名称各段通配匹配：&apos;weights&apos;、&apos;Conv2d_1*&apos;、&apos;*/BatchNorm/*&apos;</translation>
    </message>
    <message>
        <source>Filter ops by name  (Ctrl+F)</source>
        <translation>按名称筛选算子  (Ctrl+F)</translation>
    </message>
    <message>
        <source>How the pattern matches op names</source>
        <translation>模式如何匹配算子名称</translation>
    </message>
    <message>
        <source>Show only ops of this type</source>
        <translation>仅显示此类型的算子</translation>
    </message>
    <message>
        <source>Weights only</source>
        <translation>仅权重</translation>
    </message>
    <message>
        <source>Show only ops that hold a weight</source>
        <translation>仅显示带有权重的算子</translation>
    </message>
    <message>
        <source>Tick matches</source>
        <translation>勾选匹配项</translation>
    </message>
    <message>
        <source>Tick every weight the filter shows (Ctrl+Shift+M)</source>
        <translation>勾选筛选结果中的所有权重 (Ctrl+Shift+M)</translation>
    </message>
    <message>
        <source>All op types</source>
        <translation>所有算子类型</translation>
    </message>
    <message>
        <source>{shown} of {total} ops</source>
        <translation>{shown} / {total} 个算子</translation>
    </message>
    <message>
        <source>{total} ops</source>
        <translation>{total} 个算子</translation>
    </message>
    <message>
        <source>invalid pattern</source>
        <translation>无效的模式</translation>
    </message>
</context>
<context>
    <name>GraphCanvas</name>
    <message>
        <source>+{n} more</source>
        <translation>+ 另有 {n} 个</translation>
    </message>
</context>
<context>
    <name>GraphPane</name>
    <message>
        <source>Laying out…</source>
        <translation>正在布局……</translation>
    </message>
    <message>
        <source>Top → bottom</source>
        <translation>上 → 下</translation>
    </message>
    <message>
        <source>Data flows top to bottom; click for left to right</source>
        <translation>数据自上而下流动；点击改为从左到右</translation>
    </message>
    <message>
        <source>Constants</source>
        <translation>常量</translation>
    </message>
    <message>
        <source>Draw every constant as its own node, not folded into the op that reads it</source>
        <translation>将每个常量绘制为独立节点，而不是并入读取它的算子</translation>
    </message>
    <message>
        <source>Collapse</source>
        <translation>折叠</translation>
    </message>
    <message>
        <source>Close every opened scope</source>
        <translation>关闭所有已展开的作用域</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>适应</translation>
    </message>
    <message>
        <source>Fit the picture in the pane (F)</source>
        <translation>使图适应窗格大小 (F)</translation>
    </message>
    <message>
        <source>{path}: cannot draw the graph: {error}</source>
        <translation>{path}：无法绘制图：{error}</translation>
    </message>
    <message>
        <source>Left → right</source>
        <translation>左 → 右</translation>
    </message>
    <message>
        <source>Data flows left to right; click for top to bottom</source>
        <translation>数据从左到右流动；点击改为自上而下</translation>
    </message>
    <message>
        <source>No model</source>
        <translation>无模型</translation>
    </message>
    <message>
        <source>The top level</source>
        <translation>顶层</translation>
    </message>
    <message>
        <source>Draw only {path}</source>
        <translation>仅绘制 {path}</translation>
    </message>
    <message>
        <source>Tick {n} Weight</source>
        <translation>勾选 {n} 个权重</translation>
    </message>
    <message>
        <source>Tick {n} Weights</source>
        <translation>勾选 {n} 个权重</translation>
    </message>
    <message>
        <source>Untick</source>
        <translation>取消勾选</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>预览</translation>
    </message>
    <message>
        <source>Expand</source>
        <translation>展开</translation>
    </message>
    <message>
        <source>Draw Only This Scope</source>
        <translation>仅绘制此作用域</translation>
    </message>
    <message>
        <source>Copy Name</source>
        <translation>复制名称</translation>
    </message>
</context>
<context>
    <name>LanguageMenu</name>
    <message>
        <source>&amp;System</source>
        <translation>跟随系统(&amp;S)</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>The language changes when pbscope is restarted.</source>
        <translation>重新启动 pbscope 后语言才会更改。</translation>
    </message>
</context>
<context>
    <name>OpTreeModel</name>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Shape</source>
        <translation>形状</translation>
    </message>
    <message>
        <source>DType</source>
        <translation>DType</translation>
    </message>
    <message>
        <source>Params</source>
        <translation>参数</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>kept apart: not exported by default (tick it to export it)</source>
        <translation>单列：默认不导出（勾选后即可导出）</translation>
    </message>
    <message>
        <source>{n} op</source>
        <translation>{n} 个算子</translation>
    </message>
    <message>
        <source>{n} ops</source>
        <translation>{n} 个算子</translation>
    </message>
    <message>
        <source>{n} weight</source>
        <translation>{n} 个权重</translation>
    </message>
    <message>
        <source>{n} weights</source>
        <translation>{n} 个权重</translation>
    </message>
    <message>
        <source>function · {n} op</source>
        <translation>函数 · {n} 个算子</translation>
    </message>
    <message>
        <source>function · {n} ops</source>
        <translation>函数 · {n} 个算子</translation>
    </message>
    <message>
        <source>{type} op</source>
        <translation>{type} 算子</translation>
    </message>
    <message>
        <source>weight {key}  {shape} {dtype}</source>
        <translation>权重 {key}  {shape} {dtype}</translation>
    </message>
    <message>
        <source>checkpoint key {key}</source>
        <translation>检查点键 {key}</translation>
    </message>
    <message>
        <source>no values, cannot be exported: {error}</source>
        <translation>无数值，无法导出：{error}</translation>
    </message>
    <message>
        <source>a function of the graph&apos;s function library</source>
        <translation>图的函数库中的一个函数</translation>
    </message>
    <message>
        <source>{ops} ops, {weights} weights, {params} params, {size}</source>
        <translation>{ops} 个算子，{weights} 个权重，{params} 个参数，{size}</translation>
    </message>
</context>
<context>
    <name>PathField</name>
    <message>
        <source>All files (*)</source>
        <translation>所有文件 (*)</translation>
    </message>
    <message>
        <source>Choose</source>
        <translation>选择</translation>
    </message>
    <message>
        <source>File…</source>
        <translation>文件…</translation>
    </message>
    <message>
        <source>Folder…</source>
        <translation>文件夹…</translation>
    </message>
</context>
<context>
    <name>PreviewPanel</name>
    <message>
        <source>min</source>
        <translation>最小值</translation>
    </message>
    <message>
        <source>max</source>
        <translation>最大值</translation>
    </message>
    <message>
        <source>mean</source>
        <translation>均值</translation>
    </message>
    <message>
        <source>std</source>
        <translation>标准差</translation>
    </message>
    <message>
        <source>zeros</source>
        <translation>零值</translation>
    </message>
    <message>
        <source>NaN</source>
        <translation>NaN</translation>
    </message>
    <message>
        <source>Inf</source>
        <translation>Inf</translation>
    </message>
    <message>
        <source>elements</source>
        <translation>元素数</translation>
    </message>
    <message>
        <source>Details…</source>
        <translation>详情…</translation>
    </message>
    <message>
        <source>Histogram</source>
        <translation>直方图</translation>
    </message>
    <message>
        <source>Heat map</source>
        <translation>热图</translation>
    </message>
    <message>
        <source>Filters</source>
        <translation>卷积核</translation>
    </message>
    <message>
        <source>Values</source>
        <translation>数值</translation>
    </message>
    <message>
        <source>count</source>
        <translation>计数</translation>
    </message>
    <message>
        <source>value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>log count</source>
        <translation>对数计数</translation>
    </message>
    <message>
        <source>row</source>
        <translation>行</translation>
    </message>
    <message>
        <source>column</source>
        <translation>列</translation>
    </message>
    <message>
        <source>Sum over input channels</source>
        <translation>对输入通道求和</translation>
    </message>
    <message>
        <source>First input channel</source>
        <translation>第一个输入通道</translation>
    </message>
    <message>
        <source>Scale each filter</source>
        <translation>逐个缩放卷积核</translation>
    </message>
    <message>
        <source>The filter grid shows 4-D convolution kernels (H×W×Cin×Cout).</source>
        <translation>卷积核网格显示 4 维卷积核（H×W×Cin×Cout）。</translation>
    </message>
    <message>
        <source> · quantized</source>
        <translation> · 量化</translation>
    </message>
    <message>
        <source>quantized: {summary}</source>
        <translation>量化：{summary}</translation>
    </message>
    <message>
        <source>{n} params</source>
        <translation>{n} 个参数</translation>
    </message>
    <message>
        <source>No values to show</source>
        <translation>没有可显示的数值</translation>
    </message>
    <message>
        <source>This weight is listed from the graph, but its values are not in the files that were opened, so it cannot be previewed or exported.</source>
        <translation>此权重列于图中，但其数值不在已打开的文件中，因此无法预览或导出。</translation>
    </message>
    <message>
        <source>computing statistics…</source>
        <translation>正在计算统计信息……</translation>
    </message>
    <message>
        <source>{name}: cannot preview it: {error}</source>
        <translation>{name}：无法预览：{error}</translation>
    </message>
    <message>
        <source>{n} bins over {range}</source>
        <translation>{n} 个区间，范围 {range}</translation>
    </message>
    <message>
        <source>no numeric values</source>
        <translation>没有数值</translation>
    </message>
    <message>
        <source>axis {axis} = {i}</source>
        <translation>轴 {axis} = {i}</translation>
    </message>
    <message>
        <source>slice {axes}</source>
        <translation>切片 {axes}</translation>
    </message>
    <message>
        <source>{h}×{w} shown</source>
        <translation>显示 {h}×{w}</translation>
    </message>
    <message>
        <source>axis {axis}: {i} / {last}</source>
        <translation>轴 {axis}：{i} / {last}</translation>
    </message>
</context>
<context>
    <name>ResultDialog</name>
    <message>
        <source>Output:</source>
        <translation>输出：</translation>
    </message>
    <message>
        <source>Open in pbscope</source>
        <translation>在 pbscope 中打开</translation>
    </message>
    <message>
        <source>Show Folder</source>
        <translation>显示文件夹</translation>
    </message>
</context>
<context>
    <name>TaskStrip</name>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消……</translation>
    </message>
</context>
<context>
    <name>ValueTableModel</name>
    <message>
        <source>value</source>
        <translation>值</translation>
    </message>
</context>
<context>
    <name>confirm_replace</name>
    <message>
        <source>{path} already exists.

Replace the file with the new output? Its current content is deleted once the new one is complete.</source>
        <translation>{path} 已存在。

要用新的输出替换该文件吗？新输出完成后，其当前内容将被删除。</translation>
    </message>
    <message>
        <source>{path} already exists.

Replace the folder with the new output? Its current content is deleted once the new one is complete.</source>
        <translation>{path} 已存在。

要用新的输出替换该文件夹吗？新输出完成后，其当前内容将被删除。</translation>
    </message>
    <message>
        <source>Replace it?</source>
        <translation>要替换吗？</translation>
    </message>
</context>
</TS>
